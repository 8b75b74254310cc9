package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"masthead/internal/mail/mailpit"
)

// TestBrowserPasskey: a reader signed in by e-mailed link adds a passkey
// (Chromium's virtual authenticator standing in for the phone), signs out,
// and signs in with the passkey alone. Passkeys need a domain name, so the
// site runs as http://localhost:PORT.
func TestBrowserPasskey(t *testing.T) {
	chromium(t)
	mp := mailpit.FromEnv(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	masthead(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := fmt.Sprintf("http://localhost:%d", port)
	startServer(t, "--no-demo", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--base-url", base,
		"--smtp", mp.URL(), "--mail-from", "News <news@masthead.test>")
	ctx := newBrowser(t, 1000, 900)
	var authID webauthn.AuthenticatorID
	err = chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		res, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		authID = res.AuthenticatorID
		return chromedp.Void{}, err
	})
	if err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	addr := mailpit.Address("passkey")
	step("ask for a link", chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.CSS("#signin-email")),
		chromedp.SendKeys(chromedp.CSS("#signin-email"), addr),
		chromedp.Click(chromedp.CSS(`form[action="/account/signin"] button`)),
		until(`document.title.startsWith("Check your inbox")`))
	msg, err := mp.Message(context.Background(), mp.Wait(t, addr, 1)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`https?://\S+/account/signin\?t=\S+`).FindString(msg.Text)
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no sign-in link in:\n%s", msg.Text)
	}
	step("sign in by link", chromedp.Navigate(base+u.RequestURI()),
		chromedp.WaitVisible(chromedp.CSS("#signin-confirm")),
		chromedp.Click(chromedp.CSS("#signin-confirm")),
		until(`!!document.querySelector("#signout")`))
	step("add a passkey", chromedp.WaitVisible(chromedp.CSS("#passkey-add")),
		chromedp.Click(chromedp.CSS("#passkey-add")),
		until(`!!document.querySelector("ul.passkeys li")`))
	creds, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (int, error) {
		res, err := cdp.Call(ctx, tg, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
		return len(res.Credentials), err
	})
	if err != nil || creds != 1 {
		t.Fatalf("authenticator holds %d credentials (%v), want 1", creds, err)
	}
	step("sign out", chromedp.Click(chromedp.CSS("#signout")),
		until(`!!document.querySelector("#signin-email")`))
	step("sign in with the passkey", chromedp.WaitVisible(chromedp.CSS("#passkey-signin")),
		chromedp.Click(chromedp.CSS("#passkey-signin")),
		until(`!!document.querySelector("#signout")`))
	if got := eval[string](ctx, t, `document.querySelector("ul.passkeys li").textContent`); !strings.Contains(got, "last used") {
		t.Errorf("the passkey's last use is not shown: %q", got)
	}
}
