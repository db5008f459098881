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
	"lighten/internal/store"
	"lighten/internal/web"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	dsn := dbFlag(fs, "lighten.db")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (serve behind HTTPS)")
	proxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (behind a load balancer)")
	base := fs.String("base-url", "", "the address the public reaches the server at (https://lighten.example.gov.cn), for full addresses such as iCal feeds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *base != "" {
		if u, err := url.Parse(*base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url %q: expected an address such as https://lighten.example.gov.cn", *base)
		}
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, db, *addr, web.Options{SecureCookies: *secure, TrustProxy: *proxy, BaseURL: *base, Version: version}, stdout, nil)
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	dsn := fs.String("db", "lighten-demo.db", "demo database (SQLite file; created if missing, reused otherwise)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
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
		return fmt.Errorf("demo: %w", err)
	}
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	how := "created"
	if seeded {
		how = "reused"
	}
	fmt.Fprintf(stdout, "lighten demo: %s %s in %.1fs — %d units of 湖南省益阳市桃江县 (Taojiang County, code %s)\n",
		how, *dsn, time.Since(start).Seconds(), t.Len(), demo.County)
	counts, err := demo.CountDemands(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", counts)
	extra, err := demo.CountDuties(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", extra)
	quarter, err := demo.CountVisits(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %s\n", quarter)
	leaders, err := demo.Leaders(ctx, db)
	if err != nil {
		return err
	}
	return serve(ctx, db, *addr, web.Options{Version: version}, stdout, func(url string) {
		fmt.Fprintf(stdout, "\nOpen %s\n\nSign in as any of these (password %q):\n", url, demo.Password)
		for _, a := range demo.Accounts(t) {
			where := "全国 / whole country"
			if u, ok := t.Get(a.Where); ok {
				where = u.Name + " " + u.Code
			}
			fmt.Fprintf(stdout, "  %-9s %-10s at %s\n", a.Login, a.Role, where)
		}
		if len(leaders) > 0 {
			fmt.Fprintf(stdout, "\nInspection team leaders with sealed visits on %s (a target opens to its leader on the day):\n", leaders[0].Day)
			for _, l := range leaders {
				fmt.Fprintf(stdout, "  %-9s %-10s %s, register number %s\n", l.Login, "inspector", l.Name, l.Number)
			}
		}
		fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")
	})
}

// serve listens on addr until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, db *store.DB, addr string, opt web.Options, stdout io.Writer, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           web.New(db, opt),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	url := "http://" + ln.Addr().String() + "/"
	slog.Info("serving", "url", url, "database", db.URL, "dialect", db.Dialect)
	if ready != nil {
		ready(url)
	} else {
		fmt.Fprintf(stdout, "lighten %s serving %s on %s\n", version, db.Dialect, url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	dsn := dbFlag(fs, "lighten.db")
	status := fs.Bool("status", false, "only report the schema version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{NoMigrate: *status})
	if err != nil && !(*status && !errors.Is(err, store.ErrSchemaNewer)) {
		return err
	}
	if db == nil {
		// With --status, a schema behind this program is reported, not migrated.
		fmt.Fprintln(stdout, err)
		return nil
	}
	defer db.Close()
	have, know, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s schema at version %d (this lighten knows %d)\n", db.Dialect, have, know)
	return nil
}

var _ = flag.ErrHelp
