package site

import (
	"context"

	"masthead/internal/news"
)

// The paper's own pictures (issue 15): a default share image for stories
// and pages without a photo, and the logo, both chosen in the newsroom's
// settings from the media library. Without them the site's logo file
// stands in, so every story's NewsArticle has an image.

// paperPhoto returns photo id of the media library, or nil (none set, or
// gone: a page still renders with the site's logo).
func (s *Site) paperPhoto(ctx context.Context, id int64) *news.Photo {
	if id == 0 {
		return nil
	}
	ph, err := s.store.FindPhotoByID(ctx, id)
	if err != nil || !ph.HasFile() {
		if err != nil && news.ErrorCode(err) != news.ENOTFOUND {
			s.log.WarnContext(ctx, "paper photo", "photo_id", id, "err", err)
		}
		return nil
	}
	return ph
}

// defaultShareImage is og:image for what has no photo: the paper's share
// image, else nil (social then uses the logo).
func (s *Site) defaultShareImage(ctx context.Context) *ogImage {
	return s.shareImage(s.paperPhoto(ctx, s.paper().ShareImagePhotoID))
}

// ldImages are the JSON-LD images of a story: its photo's crops, else the
// share image's, else the logo.
func (s *Site) ldImages(ctx context.Context, ph *news.Photo) []string {
	if !ph.HasFile() {
		ph = s.paperPhoto(ctx, s.paper().ShareImagePhotoID)
	}
	var out []string
	if ph != nil {
		for _, c := range news.Crops {
			out = append(out, s.paper().AbsURL(s.paper().CropPath(ph, c)))
		}
		return out
	}
	return []string{s.logoURL(ctx)}
}

// logoURL is the paper's logo: the logo photo's widest rendition up to
// 1200 pixels when one is set, else the site's logo file.
func (s *Site) logoURL(ctx context.Context) string {
	if img := s.shareImage(s.paperPhoto(ctx, s.paper().LogoPhotoID)); img != nil {
		return img.URL
	}
	return s.paper().AbsURL(s.assets.Logo)
}
