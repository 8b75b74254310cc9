package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"masthead/internal/httpx"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A node is one running `masthead serve`: the parts serve.go assembles, the
// background jobs and HTTP servers they registered, and how they all stop.
// The life of a node:
//
//	assemble   parts in order (serve.go); a failing step closes what the
//	           steps before it opened
//	run        start every job, then every server; wait for the signal
//	shutdown   stop the servers (each finishes its in-flight requests),
//	           then the jobs, then close in reverse order of opening
//
// Jobs stop only after the last request: a job may finish what requests
// handed it (the view counter writes every view it acknowledged).
type node struct {
	log *slog.Logger

	// bg is the context of jobs and requests: it outlives the signal and
	// ends when run stops the jobs, so a request in flight at SIGTERM is
	// not cancelled under its handler.
	bg     context.Context
	stopBG context.CancelFunc

	jobs    []job
	servers []*httpServer
	closers []func()

	// drain is how long the node keeps serving after the signal, with
	// /readyz answering 503, so a load balancer takes it out of rotation
	// before the listener closes. draining is set while it does.
	drain    time.Duration
	draining atomic.Bool

	// shutdownTimeout bounds how long in-flight requests may take to
	// finish once the listeners are closed.
	shutdownTimeout time.Duration
}

// A job is a background task: it runs until ctx ends, then finishes up and
// returns. An error returned before ctx ends is logged; the node keeps
// serving.
type job struct {
	name string
	run  func(ctx context.Context) error
}

// httpServer is one listener and what it serves.
type httpServer struct {
	name string // "public", "metrics": for the log
	ln   net.Listener
	srv  *http.Server
	tls  bool // ln speaks TLS (the certificates are in srv.TLSConfig)
}

// addJob registers a background task that run starts and stops.
func (n *node) addJob(name string, run func(ctx context.Context) error) {
	n.jobs = append(n.jobs, job{name: name, run: run})
}

// addServer registers srv to serve on ln from run until shutdown. The node
// owns ln from here: close closes it if run never starts.
func (n *node) addServer(name string, ln net.Listener, srv *http.Server) {
	n.servers = append(n.servers, &httpServer{name: name, ln: ln, srv: srv, tls: srv.TLSConfig != nil})
	n.onClose(func() { ln.Close() })
}

// onClose registers f to run when the node closes, after everything opened
// later has closed.
func (n *node) onClose(f func()) { n.closers = append(n.closers, f) }

// close releases what the node opened, newest first. It is safe to call
// more than once.
func (n *node) close() {
	for i := len(n.closers) - 1; i >= 0; i-- {
		n.closers[i]()
	}
	n.closers = nil
}

// newServer is an http.Server with the timeouts every masthead listener
// uses: slow clients must not hold connections (headers within 5 s, the
// whole request, uploads included, within 30 s).
func (n *node) newServer(h http.Handler, tlsCfg *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return n.bg },
		ConnContext:       httpx.ConnContext, // one write per response (httpx.SecureErrors)
	}
}

// run starts the jobs and servers and serves until ctx ends (SIGINT or
// SIGTERM) or a server fails, then shuts down in order. It closes the node.
func (n *node) run(ctx context.Context) error {
	defer n.close()
	var jobs sync.WaitGroup
	for _, j := range n.jobs {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			if err := j.run(n.bg); err != nil {
				n.log.Warn("job stopped", "job", j.name, "err", err)
			}
		}()
	}
	errc := make(chan error, len(n.servers))
	for _, s := range n.servers {
		go func() {
			var err error
			if s.tls {
				err = s.srv.ServeTLS(s.ln, "", "")
			} else {
				// net/http's own 400/431 answers get the security
				// headers too (httpx.SecureErrors).
				err = s.srv.Serve(httpx.SecureErrors(s.ln))
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s server on %s: %w", s.name, s.ln.Addr(), err)
			}
		}()
	}

	var failed error
	select {
	case failed = <-errc:
		n.log.Error("server failed; shutting down", "err", failed)
	case <-ctx.Done():
		failed = n.drainFor(errc)
	}
	n.draining.Store(true)
	n.shutdown()
	// Stop the jobs only after the last request: the counter flushes
	// everything it acknowledged on the way out.
	n.stopBG()
	jobs.Wait()
	return failed
}

// drainFor keeps serving for the drain period with /readyz answering 503
// and keep-alive off (each client's next request opens a new connection,
// which the load balancer sends elsewhere). A second SIGINT or SIGTERM
// ends the drain early; the shutdown after it is orderly all the same.
func (n *node) drainFor(errc <-chan error) error {
	n.draining.Store(true)
	if n.drain <= 0 {
		n.log.Info("shutting down")
		return nil
	}
	for _, s := range n.servers {
		s.srv.SetKeepAlivesEnabled(false)
	}
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	n.log.Info("draining: /readyz answers 503 while requests still go on; the listeners close after the drain (a second signal ends it now)",
		"drain", n.drain.String())
	t := time.NewTimer(n.drain)
	defer t.Stop()
	select {
	case <-t.C:
	case <-again:
		n.log.Info("drain cut short by a second signal")
	case err := <-errc:
		n.log.Error("server failed while draining", "err", err)
		return err
	}
	n.log.Info("shutting down: listeners closed, waiting for requests in flight")
	return nil
}

// shutdown closes every listener at once and waits for in-flight requests
// to finish, at most shutdownTimeout; then it cuts what is left.
func (n *node) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), n.shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range n.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.srv.Shutdown(ctx); err != nil {
				n.log.Warn("shutdown: requests cut short", "server", s.name, "err", err)
				s.srv.Close()
			}
		}()
	}
	wg.Wait()
}
