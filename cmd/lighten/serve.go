package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"lighten/internal/demo"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/visits"
	"lighten/internal/web"
)

func cmdServe(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "serve", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	addr := fs.String("addr", "127.0.0.1:8080", i18n.T(l, "cli.serve.flag.addr"))
	secure := fs.Bool("secure-cookies", false, i18n.T(l, "cli.serve.flag.secure_cookies"))
	proxy := fs.Bool("trust-proxy", false, i18n.T(l, "cli.serve.flag.trust_proxy"))
	proxies := fs.Int("trusted-proxies", 1, i18n.T(l, "cli.serve.flag.trusted_proxies"))
	base := fs.String("base-url", "", i18n.T(l, "cli.serve.flag.base_url"))
	metricsAddr := fs.String("metrics-addr", "", i18n.T(l, "cli.serve.flag.metrics_addr"))
	load := addLoadFlags(l, fs)
	beacon := fs.String("draw-beacon", "quicknet", i18n.T(l, "cli.serve.flag.draw_beacon"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	opt := store.Options{}
	switch *beacon {
	case "quicknet":
		opt.Beacon = &visits.Quicknet
	case "none":
	default:
		return failf("cli.serve.bad_draw_beacon", *beacon)
	}
	if *base != "" {
		if u, err := url.Parse(*base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return failf("cli.serve.bad_base_url", *base)
		}
	}
	if *proxies < 1 || *proxies > 10 {
		return failf("cli.serve.bad_trusted_proxies", *proxies)
	}
	db, err := store.Open(ctx, *dsn, load.store(opt))
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, l, db, *addr, *metricsAddr, web.Options{SecureCookies: *secure, TrustProxy: *proxy, TrustedProxies: *proxies, BaseURL: *base,
		Version: version, Limits: load.limits()}, stdout, nil)
}

func cmdDemo(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "demo", stderr)
	dsn := fs.String("db", "lighten-demo.db", i18n.T(l, "cli.demo.flag.db"))
	addr := fs.String("addr", "127.0.0.1:8080", i18n.T(l, "cli.serve.flag.addr"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	start := time.Now()
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	seeded, err := demo.Seeded(ctx, db)
	if err != nil {
		return err
	}
	if err := demo.Seed(ctx, db); err != nil {
		return failf("cli.demo.error", err)
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	how := "cli.demo.created"
	if seeded {
		how = "cli.demo.reused"
	}
	say(stdout, l, how, *dsn, time.Since(start).Seconds(), t.Len(), demo.County)
	counts, err := demo.CountDemands(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", counts.Text().In(l))
	extra, err := demo.CountDuties(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", extra.Text().In(l))
	quarter, err := demo.CountVisits(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", quarter.Text().In(l))
	leaders, err := demo.Leaders(ctx, db)
	if err != nil {
		return err
	}
	return serve(ctx, l, db, *addr, "", web.Options{Version: version}, stdout, func(url string) {
		fmt.Fprintln(stdout)
		say(stdout, l, "cli.demo.open", url)
		fmt.Fprintln(stdout)
		say(stdout, l, "cli.demo.sign_in", demo.Password)
		for _, a := range demo.Accounts(t) {
			where := i18n.T(l, "cli.demo.whole_country")
			if u, ok := t.Get(a.Where); ok {
				where = u.Name + " " + u.Code
			}
			say(stdout, l, "cli.demo.account", a.Login, string(a.Role), where)
		}
		if len(leaders) > 0 {
			fmt.Fprintln(stdout)
			say(stdout, l, "cli.demo.leaders", leaders[0].Day)
			for _, ld := range leaders {
				say(stdout, l, "cli.demo.leader", ld.Login, "inspector", ld.Name, ld.Number)
			}
		}
		fmt.Fprintln(stdout)
		say(stdout, l, "cli.demo.stop")
	})
}

// When told to stop, serve lets running requests finish for
// shutdownGrace, then cancels their contexts (uploads being read stop at
// once) and gives them shutdownCancel more before closing what is left:
// it stops within the two together whatever is running.
const (
	shutdownGrace  = 8 * time.Second
	shutdownCancel = 2 * time.Second
)

// serve listens on addr until ctx ends, then shuts down gracefully. With
// metricsAddr, the Prometheus metrics are served there (and nowhere else).
func serve(ctx context.Context, l i18n.Lang, db *store.DB, addr, metricsAddr string, opt web.Options, stdout io.Writer, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failf("cli.serve.listen", addr, err)
	}
	handler := web.New(db, opt)
	if metricsAddr != "" {
		stop, err := serveMetrics(metricsAddr, handler.Metrics())
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	url := "http://" + ln.Addr().String() + "/"
	slog.Info("serving", "url", url, "database", db.URL, "dialect", db.Dialect)
	if ready != nil {
		ready(url)
	} else {
		say(stdout, l, "cli.serve.serving", version, string(db.Dialect), url)
	}
	return runServer(ctx, ln, handler, shutdownGrace, shutdownCancel)
}

// errStopping is why a request's context ends when the server stops.
var errStopping = errors.New("the server is stopping")

// runServer serves h on ln until ctx ends. Then it stops taking requests,
// lets those running finish for grace, cancels their contexts, waits
// after more for them to end, and closes every connection left.
func runServer(ctx context.Context, ln net.Listener, h http.Handler, grace, after time.Duration) error {
	base, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	srv := &http.Server{
		Handler:           h,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		slog.Warn("requests still running after the grace period: cancelling them", "grace", grace)
		stop(errStopping)
		again, cancel := context.WithTimeout(context.Background(), after)
		defer cancel()
		if err := srv.Shutdown(again); err != nil {
			srv.Close()
		}
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves the metrics at /metrics on an address of their own,
// for the monitoring network only; stop closes it.
func serveMetrics(addr string, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, failf("cli.serve.listen", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	slog.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}

func cmdMigrate(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "migrate", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	status := fs.Bool("status", false, i18n.T(l, "cli.migrate.flag.status"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{NoMigrate: *status})
	if err != nil && !(*status && !errors.Is(err, store.ErrSchemaNewer)) {
		return err
	}
	if db == nil {
		// With --status, a schema behind this program is reported, not migrated.
		fmt.Fprintln(stdout, errorText(l, err))
		return nil
	}
	defer db.Close()
	have, know, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	say(stdout, l, "cli.migrate.version", string(db.Dialect), have, know)
	return nil
}

var _ = flag.ErrHelp
