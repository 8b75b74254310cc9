package httpx

import (
	"bytes"
	"net"
)

// net/http answers some requests before any handler sees them: a request
// it cannot parse (400), headers over MaxHeaderBytes (431), an unsupported
// Transfer-Encoding (501). It writes those straight to the connection,
// without the headers Wrap puts on every other response. SecureErrors
// wraps a listener so that those answers get them too.
//
// It works on plain connections (masthead behind a TLS-terminating proxy,
// or plain HTTP); under masthead's own TLS, net/http needs the *tls.Conn
// itself to speak HTTP/2, so those few answers keep Go's bare headers.

// rawErrorHeaders is what net/http writes after the status line of its
// own error answers (net/http's errorHeaders). A handler's response never
// starts its headers this way: they are written sorted, and Connection
// sorts before Content-Type.
var rawErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

// rawErrorSecurity is inserted before rawErrorHeaders.
var rawErrorSecurity = []byte("\r\nX-Content-Type-Options: nosniff" +
	"\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'" +
	"\r\nReferrer-Policy: strict-origin-when-cross-origin" +
	"\r\nCache-Control: no-store")

// SecureErrors returns ln with net/http's own error answers given the
// security headers, and the responses of handlers under Wrap sent in one
// system call each (see conn). Serve it with ConnContext as the server's
// ConnContext for the second.
func SecureErrors(ln net.Listener) net.Listener { return secureListener{ln} }

type secureListener struct{ net.Listener }

func (l secureListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

// isRawError reports whether p is net/http's error answer, always one
// Write of "HTTP/1.1 NNN text" + rawErrorHeaders + body, and where its
// headers end.
func isRawError(p []byte) (eol int, ok bool) {
	if len(p) < 13 || p[9] < '4' || p[9] > '5' || !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) {
		return 0, false
	}
	eol = bytes.IndexByte(p, '\r')
	if eol < 0 || !bytes.HasPrefix(p[eol:], rawErrorHeaders) {
		return 0, false
	}
	return eol, true
}

// writeRawError writes net/http's error answer p with the security headers.
func (c *conn) writeRawError(p []byte, eol int) (int, error) {
	out := make([]byte, 0, len(p)+len(rawErrorSecurity))
	out = append(out, p[:eol]...)
	out = append(out, rawErrorSecurity...)
	out = append(out, p[eol:]...)
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
