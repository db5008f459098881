package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// serve stops whatever is running: a request that honours its context is
// cancelled once the grace period ends, and one that does not is cut off
// after that; runServer returns either way.
func TestServeStopsWhateverRuns(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan string, 2)
	cancelled := make(chan error, 1)
	stuck := make(chan struct{})
	defer close(stuck)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- r.URL.Path
		if r.URL.Path == "/stuck" {
			<-stuck // ignores its context
			return
		}
		<-r.Context().Done()
		cancelled <- context.Cause(r.Context())
	})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, ln, h, time.Millisecond, 50*time.Millisecond) }()
	for _, path := range []string{"/honours", "/stuck"} {
		go func() {
			if resp, err := http.Get("http://" + ln.Addr().String() + path); err == nil {
				resp.Body.Close()
			}
		}()
	}
	<-started
	<-started
	stop()
	if err := <-done; err != nil {
		t.Fatalf("runServer: %v", err)
	}
	if err := <-cancelled; !errors.Is(err, errStopping) {
		t.Fatalf("the running request's context ended with %v, want %v", err, errStopping)
	}
}
