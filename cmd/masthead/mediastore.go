package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"masthead/internal/media"
)

// registerMedia adds --media (MASTHEAD_MEDIA) to a subcommand that stores or
// serves photos.
func registerMedia(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "media", "", "where photo files live: empty for DATA/media (a shared folder works for several nodes), "+
		"or s3://`BUCKET/PREFIX`?endpoint=http://host:port&region=R for an S3-compatible store "+
		"(credentials from MASTHEAD_S3_ACCESS_KEY and MASTHEAD_S3_SECRET_KEY)")
}

// openBlobs opens the media store --media names. An S3 store is pinged, so
// a wrong bucket or key stops the node at start instead of failing every
// upload later.
func openBlobs(ctx context.Context, spec, data string) (media.Blobs, error) {
	if spec == "" {
		return media.NewDirBlobs(filepath.Join(data, "media"))
	}
	if !strings.HasPrefix(spec, "s3://") {
		// Anything else is taken as a folder (say, an NFS mount).
		return media.NewDirBlobs(spec)
	}
	cfg, err := media.ParseS3URL(spec)
	if err != nil {
		return nil, err
	}
	cfg.AccessKey = os.Getenv("MASTHEAD_S3_ACCESS_KEY")
	cfg.SecretKey = os.Getenv("MASTHEAD_S3_SECRET_KEY")
	cfg.SessionToken = os.Getenv("MASTHEAD_S3_SESSION_TOKEN")
	b, err := media.NewS3Blobs(cfg)
	if err != nil {
		return nil, err
	}
	if err := b.Ping(ctx); err != nil {
		return nil, err
	}
	return b, nil
}
