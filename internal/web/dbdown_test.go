package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// pgProxy stands between lighten and PostgreSQL so that a test can take the
// database away and bring it back at the same address.
type pgProxy struct {
	t      *testing.T
	addr   string // where lighten connects
	target string // the real server
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	p := &pgProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *pgProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

// down closes the listener and every connection: the database is gone.
func (p *pgProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// up listens again at the same address: the database is back.
func (p *pgProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// TestDatabaseGoneAndBack: when PostgreSQL goes away, the API answers 503
// with Retry-After (pages too), /healthz and /readyz say unavailable without
// naming the database's user or host, /metrics counts the 503s; when it
// returns, the same server answers again by itself.
func TestDatabaseGoneAndBack(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, store.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.addr
	db, err := store.Open(context.Background(), u.String(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test"})}
	f.ts = newTestServer(t, f.srv)
	_, token := f.person("guo", "430922", "admin@430922")

	get := func(path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := get("/api/v1/people"); resp.StatusCode != 200 {
		t.Fatalf("before: %d %s", resp.StatusCode, body)
	}
	if resp, body := get("/readyz"); resp.StatusCode != 200 || !strings.Contains(body, `"schema":`) {
		t.Fatalf("readyz before: %d %s", resp.StatusCode, body)
	}

	ui := f.uiClient("zh-CN")
	ui.signIn("guo")
	proxy.down()
	for _, p := range []string{"/api/v1/people", "/api/v1/offices?q=x"} {
		resp, body := get(p)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"code":"unavailable"`) {
			t.Fatalf("%s with the database gone: %d %q %s", p, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, body := get(p)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s with the database gone: %d %s", p, resp.StatusCode, body)
		}
		for _, secret := range []string{"postgres", "127.0.0.1", proxy.addr, "search_path"} {
			if secret != "postgres" && strings.Contains(body, secret) || strings.Contains(body, "postgres@") {
				t.Fatalf("%s names %q: %s", p, secret, body)
			}
		}
	}
	r := ui.get("/offices")
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "数据库暂时无法访问") {
		t.Fatalf("page with the database gone: %d %q\n%s", r.status, r.header.Get("Retry-After"), r.body)
	}
	_, metrics := metricsOf(f)
	if !strings.Contains(metrics, `status="503"`) {
		t.Fatalf("metrics do not count the 503s:\n%s", metrics)
	}

	proxy.up()
	if resp, body := get("/api/v1/people"); resp.StatusCode != 200 {
		t.Fatalf("after the database returned: %d %s", resp.StatusCode, body)
	}
	if resp, body := get("/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz after: %d %s", resp.StatusCode, body)
	}
}
