package mail

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIM is what signing needs: the domain (d=), the selector (s=) whose TXT
// record at SELECTOR._domainkey.DOMAIN holds the public key, and the key.
type DKIM struct {
	Domain   string
	Selector string
	// Key is the private key: RSA (2048 bits or more) or Ed25519.
	Key crypto.Signer
}

// ParseDKIMKey reads a PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8
// "PRIVATE KEY", RSA or Ed25519), the form openssl and most DNS hosts'
// instructions produce.
func ParseDKIMKey(pemText []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemText)
	if block == nil {
		return nil, errors.New("DKIM key: no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("DKIM key: %w", err)
		}
		return checkRSA(k)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("DKIM key: %w", err)
		}
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return checkRSA(k)
		case ed25519.PrivateKey:
			return k, nil
		}
		return nil, fmt.Errorf("DKIM key: %T is neither RSA nor Ed25519", k)
	}
	return nil, fmt.Errorf("DKIM key: PEM type %q: want RSA PRIVATE KEY or PRIVATE KEY", block.Type)
}

func checkRSA(k *rsa.PrivateKey) (crypto.Signer, error) {
	// RFC 8301: verifiers must not accept RSA keys under 1024 bits; big
	// receivers want 2048.
	if k.N.BitLen() < 1024 {
		return nil, fmt.Errorf("DKIM key: RSA %d bits is too short (use 2048)", k.N.BitLen())
	}
	return k, nil
}

// DNSRecord is the TXT record to publish at SELECTOR._domainkey.DOMAIN for
// the key: what the paper's settings page shows the operator.
func (d *DKIM) DNSRecord() (name, value string, err error) {
	pub := d.Key.Public()
	var kind, data string
	switch p := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return "", "", err
		}
		kind, data = "rsa", base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		kind, data = "ed25519", base64.StdEncoding.EncodeToString(p)
	default:
		return "", "", fmt.Errorf("DKIM key: %T", pub)
	}
	return d.Selector + "._domainkey." + d.Domain, "v=DKIM1; k=" + kind + "; p=" + data, nil
}

// signedHeaders are the fields a signature covers when the message has
// them. RFC 8058 asks that List-Unsubscribe and List-Unsubscribe-Post be
// covered, so that nobody on the way can point the one-click at another URL.
var signedHeaders = []string{
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
	"Feedback-ID",
}

// sign returns raw with a DKIM-Signature field in front.
func (d *DKIM) sign(raw []byte) ([]byte, error) {
	var keys []string
	present := headerNames(raw)
	for _, k := range signedHeaders {
		if present[textproto.CanonicalMIMEHeaderKey(k)] {
			keys = append(keys, k)
		}
	}
	var out bytes.Buffer
	out.Grow(len(raw) + 600)
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain:   d.Domain,
		Selector: d.Selector,
		Signer:   d.Key,
		// relaxed/relaxed survives the header refolding and trailing-space
		// changes that relays make.
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             keys,
	})
	if err != nil {
		return nil, fmt.Errorf("DKIM sign: %w", err)
	}
	return out.Bytes(), nil
}

// headerNames lists the (canonical) field names of a message's header.
func headerNames(raw []byte) map[string]bool {
	head := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head = raw[:i]
	}
	names := map[string]bool{}
	for _, line := range strings.Split(string(head), "\r\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if k, _, ok := strings.Cut(line, ":"); ok {
			names[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k))] = true
		}
	}
	return names
}
