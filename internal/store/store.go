// Package store keeps lighten's data in SQLite (the embedded default) or
// PostgreSQL (the server database), with one schema and one test suite for
// both. It implements what the domain packages need; they never see SQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"golang.org/x/sync/singleflight"
	_ "modernc.org/sqlite"

	"lighten/internal/duties"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// Dialect names a database kind.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open lighten database.
type DB struct {
	Dialect Dialect
	URL     string // as given, with any password removed
	dsn     string
	w       *sql.DB
	r       *sql.DB
	now     func() time.Time
	beacon  *visits.BeaconChain
	// known is the newest schema version this program knows, read from
	// its migrations when the database is opened.
	known int64

	treeMu      sync.Mutex
	tree        *units.Tree
	treeChecked time.Time
	treeGen     uint64 // moved by every change to the tree on this server
	// flights share a read among those who ask for it at the same time.
	flights singleflight.Group

	policies versioned[*policy.Tree]
	duties   versioned[*duties.Book]
	collect  collectCache
	loads    loadCache
	auth     authCache
	reports  reportCache

	// prepared holds, on SQLite, the writer's statements that every
	// submission runs, prepared once when the database is opened: SQLite
	// would otherwise parse them on each use, inside the write lock.
	prepared map[string]*sql.Stmt
	// readers holds, on SQLite, statements prepared once on the readers
	// (readerStmt) for the queries every submission makes.
	readersMu sync.Mutex
	readers   map[string]*sql.Stmt

	// bg counts work in the background (building and saving fresh-value
	// sets); Close cancels bgCtx, then waits for it.
	bg     sync.WaitGroup
	bgCtx  context.Context
	bgStop context.CancelFunc
	// ckpt is the SQLite checkpoints' goroutine, which also ends with
	// bgCtx.
	ckpt sync.WaitGroup
}

// Options tune Open.
type Options struct {
	// Now replaces the clock (tests fix it). Defaults to time.Now.
	Now func() time.Time
	// NoMigrate opens without migrating; the schema must be current.
	NoMigrate bool
	// Writers is how many connections transactions share (PostgreSQL;
	// DefaultWriters unless set). SQLite has one writer, whatever this says.
	Writers int
	// Readers is how many connections reads outside a transaction share
	// (DefaultReaders on PostgreSQL, 4 on SQLite, unless set). They are
	// never the writers' connections.
	Readers int
	// StatementTimeout bounds one statement on PostgreSQL
	// (statement_timeout; DefaultStatementTimeout unless set, negative for
	// none) unless the address sets it itself.
	StatementTimeout time.Duration
	// LockTimeout bounds a wait for a lock: lock_timeout on PostgreSQL
	// (DefaultLockTimeout unless set or set in the address), busy_timeout
	// on SQLite (10 s unless set).
	LockTimeout time.Duration
	// UnsyncedCommits lets SQLite's writer acknowledge a commit before it
	// is synced (synchronous=NORMAL): for the benchmark that measures what
	// syncing costs, never for a server.
	UnsyncedCommits bool
	// Beacon is the chain whose rounds new draws commit to for their
	// public value (visits.Quicknet for a server). Nil: new draws take a
	// value entered by hand, and their pages say so.
	Beacon *visits.BeaconChain
}

// The defaults of Options.
const (
	DefaultWriters          = 16
	DefaultReaders          = 16
	DefaultStatementTimeout = 5 * time.Minute
	DefaultLockTimeout      = 30 * time.Second
)

// ErrSchemaNewer is returned when the database was migrated by a newer
// lighten than this one.
var ErrSchemaNewer = errors.New("database schema is newer than this lighten knows; upgrade lighten")

// Open connects to a database and brings its schema up to date. dsn is a
// postgres:// URL, an sqlite: URL, or a file path (SQLite).
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now, dsn: dsn, beacon: opt.Beacon}
	db.collect.catching = make(chan struct{}, 1)
	db.reports.compl.catching = make(chan struct{}, 1)
	db.bgCtx, db.bgStop = context.WithCancel(context.Background())
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.Dialect = Postgres
		db.URL = redact(dsn)
		// Transactions and reads have pools of their own, so that a
		// transaction that reads outside itself (the gate's environment)
		// never waits for a connection held by another transaction, and
		// reads go on while every writer is busy. Every connection
		// bounds its statements and its waits for locks, so that overload
		// ends in an error rather than a hang.
		pdsn := pgTimeouts(dsn, opt)
		writers, readers := or(opt.Writers, DefaultWriters), or(opt.Readers, DefaultReaders)
		if db.w, err = sql.Open("pgx", pdsn); err != nil {
			return nil, fmt.Errorf("open %s: %w", db.URL, err)
		}
		db.w.SetMaxOpenConns(writers)
		db.w.SetMaxIdleConns(writers)
		if db.r, err = sql.Open("pgx", pdsn); err != nil {
			db.w.Close()
			return nil, fmt.Errorf("open %s: %w", db.URL, err)
		}
		db.r.SetMaxOpenConns(readers)
		db.r.SetMaxIdleConns(readers)
	default:
		db.Dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("open %q: no SQLite file named", dsn)
		}
		db.URL = path
		busy := 10 * time.Second
		if opt.LockTimeout > 0 {
			busy = opt.LockTimeout
		}
		// The log is cut back to journalLimit whenever a checkpoint
		// empties it, so that a large import leaves no log of its size.
		pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")&_pragma=foreign_keys(1)" +
			"&_pragma=journal_size_limit(" + strconv.Itoa(journalLimit) + ")&_time_format=sqlite"
		// One writer, whose transactions take the write lock at BEGIN so
		// that two of them never deadlock upgrading; a pool of readers.
		// The writer keeps SQLite's default cache of 2 MiB: a larger one
		// (64 MiB was measured) makes every commit slower, as SQLite
		// walks the whole cache at commit, by more than the pages it
		// keeps save. It does not copy the write-ahead log back into the
		// database file itself: a server does that in the background
		// (checkpoints), so that a commit never waits for 80 MB to be
		// copied and synced; only should the log reach about 400 MB (the
		// background falling behind, or a command that writes much and
		// runs no checkpoints) does the writer's commit checkpoint.
		// The writer syncs the log at every commit (synchronous=FULL): what
		// lighten acknowledged survives a power cut, not only a crash of
		// lighten. Readers change nothing and need not.
		sync := "FULL"
		if opt.UnsyncedCommits {
			sync = "NORMAL"
		}
		db.w, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=synchronous("+sync+")&_pragma=wal_autocheckpoint(100000)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		db.w.SetMaxOpenConns(1)
		db.r, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=synchronous(NORMAL)")
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		db.r.SetMaxOpenConns(or(opt.Readers, 4))
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.URL, err)
	}
	if db.Dialect == Postgres {
		if err := db.checkDurable(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.migrate(ctx, opt.NoMigrate); err != nil {
		db.Close()
		return nil, err
	}
	if db.Dialect == SQLite {
		db.prepared = map[string]*sql.Stmt{}
		for _, q := range writerStatements {
			st, err := db.w.PrepareContext(ctx, q)
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("prepare %q: %w", q, err)
			}
			db.prepared[q] = st
		}
		db.checkpoints(checkpointEvery)
	}
	return db, nil
}

func or(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// pgTimeouts adds statement_timeout and lock_timeout to a PostgreSQL
// address that does not set them, as parameters pgx sends when it
// connects.
func pgTimeouts(dsn string, opt Options) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx reports it
	}
	q := u.Query()
	set := func(key string, d, def time.Duration) {
		if q.Has(key) {
			return
		}
		if d == 0 {
			d = def
		}
		if d < 0 {
			d = 0 // none
		}
		q.Set(key, strconv.FormatInt(d.Milliseconds(), 10))
	}
	set("statement_timeout", opt.StatementTimeout, DefaultStatementTimeout)
	set("lock_timeout", opt.LockTimeout, DefaultLockTimeout)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Close releases the connections.
func (db *DB) Close() error {
	var err error
	db.bgStop()
	db.bg.Wait()
	db.ckpt.Wait()
	for _, st := range db.prepared {
		st.Close()
	}
	db.readersMu.Lock()
	for _, st := range db.readers {
		st.Close()
	}
	db.readers = nil
	db.readersMu.Unlock()
	if db.r != nil && db.r != db.w {
		err = db.r.Close()
	}
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// checkpointEvery is how often a server copies SQLite's write-ahead log
// back into the database file.
var checkpointEvery = 2 * time.Second

// checkpoints copies SQLite's write-ahead log back into the database file
// every so often, on a reader's connection, until the database is closed.
// A passive checkpoint waits for nobody: the writer goes on committing
// while it copies what was committed before, and the log starts again
// from its beginning once all of it is copied and no reader needs it.
// What a commit has written to the log is durable whether or not it has
// been copied yet.
func (db *DB) checkpoints(every time.Duration) {
	db.ckpt.Add(1)
	go func() {
		defer db.ckpt.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-db.bgCtx.Done():
				return
			case <-t.C:
			}
			if _, err := db.r.ExecContext(db.bgCtx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && db.bgCtx.Err() == nil {
				slog.Warn("checkpoint", "db", db.URL, "err", err)
			}
		}
	}()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Now is the store's clock, at the microsecond precision both databases keep.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

func (db *DB) provider(opts ...goose.ProviderOption) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db.w, sub, opts...)
}

// migrateLock names the advisory lock migrations hold on PostgreSQL.
const migrateLock = 4097083626 // goose's own default

// migrationLocker makes servers that start (or are upgraded) together on
// one PostgreSQL schema migrate it one at a time: the others wait, asking
// each second, then find it up to date. The lock is keyed within the schema
// (advisoryLock), so other schemas of the database do not wait.
func (db *DB) migrationLocker(ctx context.Context) ([]goose.ProviderOption, error) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	var id int64
	if err := db.w.QueryRowContext(ctx, `SELECT hashtextextended(current_schema(), $1)`, int64(migrateLock)).Scan(&id); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	l, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
	if err != nil {
		return nil, err
	}
	return []goose.ProviderOption{goose.WithSessionLocker(l)}, nil
}

// SchemaVersion reports the database's schema version and the newest this
// program knows.
func (db *DB) SchemaVersion(ctx context.Context) (have, know int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	have, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		know = srcs[len(srcs)-1].Version
	}
	return have, know, nil
}

func (db *DB) migrate(ctx context.Context, check bool) error {
	have, know, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	db.known = know
	if have > know {
		return fmt.Errorf("%w (database at version %d, this lighten knows %d)", ErrSchemaNewer, have, know)
	}
	if have == know {
		return nil
	}
	if check {
		return fmt.Errorf("database schema is at version %d, %d expected: run `lighten migrate`", have, know)
	}
	opts, err := db.migrationLocker(ctx)
	if err != nil {
		return err
	}
	p, err := db.provider(opts...)
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.URL, err)
	}
	for _, r := range res {
		slog.Debug("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// Tx is a write transaction with "now" fixed once and the actor known, so
// that every change it makes is audited with the same time and person.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	Now   time.Time
	Actor Actor
	// committed run after a successful commit: this server's caches are
	// told at once of what it changed; other servers notice within a
	// second from the version counters.
	committed []func()
}

// Actor is who makes a change: a person, or the system (ID 0).
type Actor struct {
	ID    int64
	Login string
}

// System is the actor for imports, the demo and command-line work.
var System = Actor{Login: "system"}

// Write runs fn in a transaction and commits it when fn returns nil.
func (db *DB) Write(ctx context.Context, actor Actor, fn func(*Tx) error) error {
	sqltx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqltx, db: db, Now: db.Now(), Actor: actor}
	if err := fn(tx); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.committed {
		f()
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st, ok := tx.db.prepared[q]; ok {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, q, args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, ok := tx.db.prepared[q]; ok {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// queryRead runs a query on the readers. On SQLite, which would parse it
// again each time, the statement is prepared once and kept; pgx keeps
// PostgreSQL's prepared statements itself.
func (db *DB) queryRead(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.Dialect != SQLite {
		return db.r.QueryContext(ctx, q, args...)
	}
	st, err := db.readerStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRowRead is queryRead for one row.
func (db *DB) queryRowRead(ctx context.Context, q string, args ...any) *sql.Row {
	if db.Dialect != SQLite {
		return db.r.QueryRowContext(ctx, q, args...)
	}
	st, err := db.readerStmt(ctx, q)
	if err != nil {
		return db.r.QueryRowContext(ctx, q, args...) // reports the error
	}
	return st.QueryRowContext(ctx, args...)
}

// The statement is prepared without holding readersMu, which is never held
// while waiting for a connection; should two prepare it at once, the one
// kept first wins and the other is closed.
func (db *DB) readerStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	db.readersMu.Lock()
	st, ok := db.readers[q]
	db.readersMu.Unlock()
	if ok {
		return st, nil
	}
	st, err := db.r.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	db.readersMu.Lock()
	defer db.readersMu.Unlock()
	if kept, ok := db.readers[q]; ok {
		st.Close()
		return kept, nil
	}
	if db.readers == nil {
		db.readers = map[string]*sql.Stmt{}
	}
	db.readers[q] = st
	return st, nil
}

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a record would duplicate another.
var ErrConflict = errors.New("already exists")

// isUnique reports whether err is a unique-constraint violation on either
// database.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") ||
		strings.Contains(s, "duplicate key value")
}

var _ = stdlib.GetDefaultDriver
