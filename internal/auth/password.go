// Package auth holds newsroom accounts: argon2id password hashes, server-side
// sessions kept in the store, CSRF tokens, sign-in throttling and the first
// admin account. It speaks news.Store and net/http only; pages live in
// internal/newsroom.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum profile (19 MiB, 2 passes, 1 lane).
// The machine is small and shared; these cost ~30 ms a sign-in, which is
// plenty against offline guessing given 16-byte salts. CheckPassword reads the
// parameters from the hash, so raising them later needs no migration.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
	// MinPasswordLen is the shortest password an account may have.
	MinPasswordLen = 10
	// maxPasswordLen bounds the work an attacker can make us do per attempt.
	maxPasswordLen = 1024
)

var b64 = base64.RawStdEncoding

// HashPassword returns an argon2id hash of pw in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	if len(pw) > maxPasswordLen {
		return "", errors.New("password too long")
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash. The comparison is constant
// time; a malformed hash never matches.
func CheckPassword(hash, pw string) bool {
	if len(pw) > maxPasswordLen {
		return false
	}
	p, salt, key, ok := parsePHC(hash)
	if !ok {
		return false
	}
	got := idKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// hashSlots bounds the argon2 computations running at once. Each takes
// 19 MiB and a core for ~30 ms, and sign-in is public: a few hundred
// parallel wrong passwords from as many addresses (each under its
// throttle) would otherwise ask for gigabytes at once. Past the bound they
// wait their turn.
var hashSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// hashing counts the computations in progress (for the test).
var hashing atomic.Int32

func idKey(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	hashing.Add(1)
	defer hashing.Add(-1)
	return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
}

type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

// parsePHC splits a PHC argon2id string. Parameters far outside sane bounds
// are refused so a tampered row cannot make a sign-in allocate gigabytes.
func parsePHC(s string) (p argonParams, salt, key []byte, ok bool) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, false
	}
	if p.memory < 1024 || p.memory > 1<<20 || p.time < 1 || p.time > 20 || p.threads < 1 {
		return p, nil, nil, false
	}
	var err error
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, false
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

// ValidatePassword says what is wrong with a new password, or nil.
func ValidatePassword(pw string) error {
	switch {
	case len([]rune(pw)) < MinPasswordLen:
		return fmt.Errorf("The password must be at least %d characters long.", MinPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Errorf("The password is too long.")
	}
	return nil
}

// RandomPassword returns a password of 20 characters from an alphabet
// without look-alikes, for first-run admins and resets.
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, 0, 20)
	buf := make([]byte, 32)
	for len(out) < 20 {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, c := range buf {
			// Rejection sampling keeps every character equally likely.
			if int(c) < 256-256%len(alphabet) && len(out) < 20 {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
