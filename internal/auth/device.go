package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"masthead/internal/news"
)

// DeviceCookie proves that this browser signed in to an account before
// (OWASP's "device cookies"). Sign-ins that carry one are throttled on
// their own, so a stranger guessing at an account, who has no such cookie,
// cannot lock its owner out of the devices they already use.
const DeviceCookie = "masthead_device"

// deviceLifetime is how long a device stays known without signing in.
const deviceLifetime = 365 * 24 * time.Hour

// deviceKeySetting holds the HMAC key, shared through the store so that
// every node accepts every node's cookies.
const deviceKeySetting = "signin_device_key"

// Devices issues and checks device cookies.
type Devices struct {
	Store news.Store

	mu  sync.Mutex
	key []byte
}

// keyFor returns the paper's device key, creating it on first use.
func (d *Devices) keyFor(ctx context.Context) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	v, err := d.Store.GetSetting(ctx, deviceKeySetting)
	if errors.Is(err, news.ErrNotFound) {
		var b [32]byte
		_, _ = rand.Read(b[:])
		if err := d.Store.PutSetting(ctx, deviceKeySetting, hex.EncodeToString(b[:])); err != nil {
			return nil, fmt.Errorf("store device key: %w", err)
		}
		// Two nodes may create it at once: read back whichever won.
		v, err = d.Store.GetSetting(ctx, deviceKeySetting)
	}
	if err != nil {
		return nil, fmt.Errorf("device key: %w", err)
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) < 16 {
		return nil, errors.New("device key: malformed setting")
	}
	d.key = k
	return k, nil
}

func deviceMAC(key []byte, account, nonce string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("device\x00"))
	m.Write([]byte(strings.ToLower(account)))
	m.Write([]byte{0})
	m.Write([]byte(nonce))
	return m.Sum(nil)[:16]
}

// Known returns the id of the device r comes from, if its device cookie
// was issued for account; "" if it has none, or one for another account.
func (d *Devices) Known(r *http.Request, account string) string {
	c, err := r.Cookie(DeviceCookie)
	if err != nil || len(c.Value) > 200 {
		return ""
	}
	key, err := d.keyFor(r.Context())
	if err != nil {
		return ""
	}
	for v := range strings.SplitSeq(c.Value, ".") {
		nonce, mac, ok := strings.Cut(v, "~")
		if !ok {
			continue
		}
		got, err := base64.RawURLEncoding.DecodeString(mac)
		if err == nil && hmac.Equal(got, deviceMAC(key, account, nonce)) {
			return nonce
		}
	}
	return ""
}

// Remember sets a device cookie for account after it signed in, keeping
// the proofs the browser holds for other accounts (a shared newsroom
// computer), at most four. The device id stays the same if it had one.
func (d *Devices) Remember(w http.ResponseWriter, r *http.Request, account string, secure bool) error {
	key, err := d.keyFor(r.Context())
	if err != nil {
		return err
	}
	nonce := d.Known(r, account)
	if nonce == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		nonce = base64.RawURLEncoding.EncodeToString(b[:])
	}
	parts := []string{nonce + "~" + base64.RawURLEncoding.EncodeToString(deviceMAC(key, account, nonce))}
	if c, err := r.Cookie(DeviceCookie); err == nil && len(c.Value) <= 200 {
		for v := range strings.SplitSeq(c.Value, ".") {
			if n, _, ok := strings.Cut(v, "~"); ok && n != nonce && len(parts) < 4 && len(v) < 60 {
				parts = append(parts, v)
			}
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: strings.Join(parts, "."), Path: "/newsroom/signin",
		MaxAge: int(deviceLifetime / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode,
	})
	return nil
}
