package httpx

import (
	"context"
	"net"
	"sync"
)

// conn is a connection SecureErrors accepted. Besides the security headers
// of net/http's own error answers, it sends a response that net/http
// would write in two system calls in one.
//
// net/http buffers a response in 4 KB per connection: a page of 28 KB is
// written as that buffer (the header and the start of the body), then
// the rest of the body straight from the handler's slice: two write(2)s
// per response, each of which on loopback also runs the receiver's TCP
// work. About 40% of a cache hit's CPU was those system calls
// (docs/performance.md). While Wrap's writer passes a handler's Write on
// (hold), the first write of the connection's buffer is copied aside
// instead, and sent with the next one in one writev(2); when no next one
// comes within the Write (the rest fitted in the buffer), it is written
// when the Write returns, so bytes are never left behind and their order
// never changes. Outside a handler's Write (net/http's final flush, a
// Flush, error answers) every write goes straight through.
//
// Only the serving goroutine writes to a connection (HTTP/1.x); under
// masthead's own TLS net/http needs the *tls.Conn, so those connections
// are not wrapped and keep net/http's two writes.
type conn struct {
	net.Conn
	hold bool           // inside a handler's Write under Wrap
	held *[heldMax]byte // the buffer copied aside, from heldPool; nil when none
	nh   int            // bytes in held
	err  error          // a failed write of held: the connection is broken
	arr  [2][]byte      // held and the next write, for writev
	bufs net.Buffers    // arr as net.Buffers, a field so that writev allocates nothing
}

// heldMax is net/http's buffer per connection: larger writes come
// straight from the handler and are not copied.
const heldMax = 4 << 10

// heldPool keeps the copies: one is needed only while a Write is under
// way, so idle connections hold none.
var heldPool = sync.Pool{New: func() any { return new([heldMax]byte) }}

func (c *conn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if !c.hold {
		if eol, ok := isRawError(p); ok {
			return c.writeRawError(p, eol)
		}
		return c.Conn.Write(p)
	}
	if c.held == nil {
		if len(p) > heldMax {
			return c.Conn.Write(p)
		}
		c.held = heldPool.Get().(*[heldMax]byte)
		c.nh = copy(c.held[:], p)
		return len(p), nil
	}
	nh := c.nh
	c.arr = [2][]byte{c.held[:nh], p}
	c.bufs = c.arr[:]
	n, err := c.bufs.WriteTo(c.Conn) // one writev, however many writes it takes
	c.arr = [2][]byte{}
	c.putHeld()
	if err != nil {
		c.err = err
		return max(0, int(n)-nh), err
	}
	return len(p), nil
}

// release ends a handler's Write: what is still held goes out now. An
// error breaks the connection: the Write reports it, and every later
// write of the connection fails with it.
func (c *conn) release() error {
	c.hold = false
	if c.held == nil {
		return nil
	}
	_, err := c.Conn.Write(c.held[:c.nh])
	c.putHeld()
	if err != nil {
		c.err = err
	}
	return err
}

func (c *conn) putHeld() {
	heldPool.Put(c.held)
	c.held, c.nh = nil, 0
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it lets Wrap find the
// connection a request came on, so that its responses are written in one
// system call (see conn).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}
