package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/acme/autocert"
)

// tlsFlags choose how serve speaks HTTPS itself: certificate files, or
// certificates obtained automatically from Let's Encrypt (ACME). Neither
// means plain HTTP, for running behind a proxy that terminates TLS.
type tlsFlags struct {
	Cert       string
	Key        string
	ACMEDomain string
	ACMEEmail  string
}

// tlsConfig returns the server's TLS configuration, or nil for plain HTTP.
// Certificate files are loaded here so a wrong path or a key that does not
// match is one clear error at start-up, not a failed handshake later.
func (f tlsFlags) tlsConfig(dataDir string) (*tls.Config, error) {
	switch {
	case f.Cert == "" && f.Key == "" && f.ACMEDomain == "":
		return nil, nil
	case f.ACMEDomain != "" && (f.Cert != "" || f.Key != ""):
		return nil, errors.New("--acme-domain and --tls-cert/--tls-key exclude each other; choose one")
	case f.ACMEDomain != "":
		dir := filepath.Join(dataDir, "acme")
		// autocert.DirCache creates the folder 0700 too; creating it
		// here makes a permission problem an error at start-up.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("ACME certificate cache: %w", err)
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(f.ACMEDomain),
			Cache:      autocert.DirCache(dir),
			Email:      f.ACMEEmail,
		}
		// The TLS-ALPN-01 challenge is answered on this same listener,
		// so serve must be reachable on port 443 of the domain.
		cfg := m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return cfg, nil
	case f.Cert == "" || f.Key == "":
		return nil, errors.New("--tls-cert and --tls-key go together; give both")
	}
	pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
	}, nil
}
