package main

import (
	"flag"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/web"
)

// loadFlags are serve's bounds on the work taken at once: the database's
// pools and timeouts, and the requests admitted per class (docs/api.md,
// "Busy").
type loadFlags struct {
	writers, readers           *int
	ingest, writes, reads      *int
	wait, timeout, lockTimeout *time.Duration
}

func addLoadFlags(l i18n.Lang, fs *flag.FlagSet) *loadFlags {
	return &loadFlags{
		writers:     fs.Int("db-writers", store.DefaultWriters, i18n.T(l, "cli.serve.flag.db_writers")),
		readers:     fs.Int("db-readers", 0, i18n.T(l, "cli.serve.flag.db_readers")),
		lockTimeout: fs.Duration("lock-timeout", 0, i18n.T(l, "cli.serve.flag.lock_timeout")),
		ingest:      fs.Int("max-ingest", web.DefaultIngest, i18n.T(l, "cli.serve.flag.max_ingest")),
		writes:      fs.Int("max-writes", web.DefaultWrites, i18n.T(l, "cli.serve.flag.max_writes")),
		reads:       fs.Int("max-reads", web.DefaultReads, i18n.T(l, "cli.serve.flag.max_reads")),
		wait:        fs.Duration("admit-wait", web.DefaultWait, i18n.T(l, "cli.serve.flag.admit_wait")),
		timeout:     fs.Duration("request-timeout", web.DefaultTimeout, i18n.T(l, "cli.serve.flag.request_timeout")),
	}
}

func (f *loadFlags) store(opt store.Options) store.Options {
	opt.Writers, opt.Readers, opt.LockTimeout = *f.writers, *f.readers, *f.lockTimeout
	return opt
}

func (f *loadFlags) limits() web.Limits {
	return web.Limits{Ingest: *f.ingest, Writes: *f.writes, Reads: *f.reads, Wait: *f.wait, Timeout: *f.timeout}
}
