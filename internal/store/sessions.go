package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"lighten/internal/audit"
	"lighten/internal/auth"
	"lighten/internal/units"
)

// CreateSession stores a new session for p and returns its secret, which
// only the browser keeps; the store keeps its digest.
func (tx *Tx) CreateSession(ctx context.Context, p units.Person, method string) (string, error) {
	token := auth.NewToken(auth.SessionPrefix)
	_, err := tx.exec(ctx, `INSERT INTO sessions (digest, person_id, method, created, seen, expires) VALUES ($1, $2, $3, $4, $5, $6)`,
		auth.Digest(token), p.ID, method, tx.Now, tx.Now, tx.Now.Add(auth.SessionMax))
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, tx.Audit(ctx, audit.Record{Action: "session.create", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, After: audit.JSON(map[string]string{"method": method})})
}

// AuthCacheTTL is how long a server trusts what it last read of a session
// or API token and its person (roles, disabled). Signing out, revoking a
// token, changing a password, a person's roles or disabling them forget
// every entry on the server that made the change at once; other servers
// sharing the database see the change within AuthCacheTTL.
const AuthCacheTTL = 5 * time.Second

// authCacheMax bounds the entries; when full the cache starts afresh.
const authCacheMax = 10_000

// authCache remembers resolved sessions and tokens for AuthCacheTTL, so
// that a client sending many requests does not cost three queries each.
type authCache struct {
	mu  sync.Mutex
	gen uint64 // bumped by every forget
	m   map[string]authEntry
}

type authEntry struct {
	p     units.Person
	until time.Time
}

// get returns a cached person, and the generation to hand to put.
func (c *authCache) get(key string, now time.Time) (units.Person, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.until) {
		return units.Person{}, false, c.gen
	}
	p := e.p
	p.Grants = slices.Clone(p.Grants)
	return p, true, c.gen
}

// put caches p until until, unless something was forgotten since gen was
// read: what was read before a revocation must not outlive it.
func (c *authCache) put(key string, p units.Person, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = map[string]authEntry{}
	}
	p.Grants = slices.Clone(p.Grants)
	c.m[key] = authEntry{p: p, until: until}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// forget drops every entry.
func (c *authCache) forget() {
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.mu.Unlock()
}

// forgetAuth makes tx's commit forget every cached session and token.
func (tx *Tx) forgetAuth() { tx.committed = append(tx.committed, tx.db.auth.forget) }

// PersonBySession resolves a session secret to its person, ending sessions
// that are idle or past their life, and notes the session as seen.
func (db *DB) PersonBySession(ctx context.Context, token string) (units.Person, error) {
	d := auth.Digest(token)
	now := db.Now()
	key := "s" + d
	p, ok, gen := db.auth.get(key, now)
	if ok {
		return p, nil
	}
	p, until, err := db.personBySession(ctx, d, now)
	if err == nil {
		db.auth.put(key, p, earliest(until, now.Add(AuthCacheTTL)), gen)
	}
	return p, err
}

func (db *DB) personBySession(ctx context.Context, d string, now time.Time) (units.Person, time.Time, error) {
	var id int64
	var seen, expires time.Time
	err := db.r.QueryRowContext(ctx, `SELECT person_id, seen, expires FROM sessions WHERE digest = $1`, d).Scan(&id, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return units.Person{}, time.Time{}, ErrNotFound
	}
	if err != nil {
		return units.Person{}, time.Time{}, fmt.Errorf("read session: %w", err)
	}
	if now.After(expires) || now.Sub(seen) > auth.SessionIdle {
		db.w.ExecContext(ctx, `DELETE FROM sessions WHERE digest = $1`, d)
		return units.Person{}, time.Time{}, ErrNotFound
	}
	// Writing "seen" on every request would serialise readers on SQLite;
	// a minute's precision is enough for the idle limit.
	if now.Sub(seen) > time.Minute {
		if _, err := db.w.ExecContext(ctx, `UPDATE sessions SET seen = $1 WHERE digest = $2`, now, d); err != nil {
			return units.Person{}, time.Time{}, fmt.Errorf("touch session: %w", err)
		}
		seen = now
	}
	p, err := db.Person(ctx, id)
	if err != nil {
		return p, time.Time{}, err
	}
	if p.Disabled {
		return units.Person{}, time.Time{}, ErrNotFound
	}
	return p, earliest(expires, seen.Add(auth.SessionIdle)), nil
}

// EndSession signs a session out.
func (tx *Tx) EndSession(ctx context.Context, p units.Person, token string) error {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE digest = $1`, auth.Digest(token)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	tx.forgetAuth()
	return tx.Audit(ctx, audit.Record{Action: "session.end", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10), UnitCode: p.UnitCode})
}

// APIToken is a machine client's credential, as listed to its owner.
type APIToken struct {
	ID       int64      `json:"id"`
	PersonID int64      `json:"person"`
	Name     string     `json:"name"`
	Created  time.Time  `json:"created"`
	Expires  time.Time  `json:"expires"`
	LastUsed *time.Time `json:"last_used,omitempty"`
	Revoked  *time.Time `json:"revoked,omitempty"`
}

// CreateAPIToken makes a token for p lasting ttl; the secret is returned once.
func (tx *Tx) CreateAPIToken(ctx context.Context, p units.Person, name string, ttl time.Duration) (APIToken, string, error) {
	if ttl <= 0 || ttl > auth.TokenMax {
		ttl = auth.TokenMax
	}
	secret := auth.NewToken(auth.APIPrefix)
	t := APIToken{PersonID: p.ID, Name: name, Created: tx.Now, Expires: tx.Now.Add(ttl)}
	err := tx.queryRow(ctx, `INSERT INTO api_tokens (person_id, name, digest, created, expires) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		p.ID, name, auth.Digest(secret), t.Created, t.Expires).Scan(&t.ID)
	if err != nil {
		return t, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, tx.Audit(ctx, audit.Record{Action: "token.create", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, After: audit.JSON(t)})
}

// RevokeAPIToken revokes one of p's tokens.
func (tx *Tx) RevokeAPIToken(ctx context.Context, p units.Person, id int64) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked = $1 WHERE id = $2 AND person_id = $3 AND revoked IS NULL`, tx.Now, id, p.ID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	tx.forgetAuth()
	return tx.Audit(ctx, audit.Record{Action: "token.revoke", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10),
		UnitCode: p.UnitCode, Before: audit.JSON(map[string]int64{"token": id})})
}

// APITokens lists p's tokens.
func (db *DB) APITokens(ctx context.Context, personID int64) ([]APIToken, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, person_id, name, created, expires, last_used, revoked FROM api_tokens WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Name, &t.Created, &t.Expires, &used, &revoked); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsed = &used.Time
		}
		if revoked.Valid {
			t.Revoked = &revoked.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// PersonByAPIToken resolves a token secret to its person.
func (db *DB) PersonByAPIToken(ctx context.Context, secret string) (units.Person, error) {
	d := auth.Digest(secret)
	now := db.Now()
	key := "t" + d
	p, ok, gen := db.auth.get(key, now)
	if ok {
		return p, nil
	}
	p, expires, err := db.personByAPIToken(ctx, d, now)
	if err == nil {
		db.auth.put(key, p, earliest(expires, now.Add(AuthCacheTTL)), gen)
	}
	return p, err
}

func (db *DB) personByAPIToken(ctx context.Context, d string, now time.Time) (units.Person, time.Time, error) {
	var id, tid int64
	var expires time.Time
	var used sql.NullTime
	err := db.r.QueryRowContext(ctx, `SELECT id, person_id, expires, last_used FROM api_tokens WHERE digest = $1 AND revoked IS NULL`,
		d).Scan(&tid, &id, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return units.Person{}, time.Time{}, ErrNotFound
	}
	if err != nil {
		return units.Person{}, time.Time{}, fmt.Errorf("read token: %w", err)
	}
	if now.After(expires) {
		return units.Person{}, time.Time{}, ErrNotFound
	}
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		if _, err := db.w.ExecContext(ctx, `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, now, tid); err != nil {
			return units.Person{}, time.Time{}, fmt.Errorf("touch token: %w", err)
		}
	}
	p, err := db.Person(ctx, id)
	if err != nil {
		return p, time.Time{}, err
	}
	if p.Disabled {
		return units.Person{}, time.Time{}, ErrNotFound
	}
	return p, expires, nil
}

// RecordSignInFailure notes a failed sign-in. It is not audited: nothing
// changed, and the public must not be able to grow the audit chain.
func (db *DB) RecordSignInFailure(ctx context.Context, login, address string) error {
	now := db.Now()
	_, err := db.w.ExecContext(ctx, `INSERT INTO signin_failures (login, address, at) VALUES ($1, $2, $3)`, login, address, now)
	if err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM signin_failures WHERE at < $1`, now.Add(-24*time.Hour))
	return err
}

// SignInCounts are the failed sign-ins within the window that the lock-out
// looks at.
type SignInCounts struct {
	Pair    int // of this login from this address
	Address int // from this address, for any login
	Login   int // of this login, from any address
}

// SignInFailures counts failures since a time: of a login from an address,
// from the address for any login, and of the login from anywhere.
func (db *DB) SignInFailures(ctx context.Context, login, address string, since time.Time) (SignInCounts, error) {
	var c SignInCounts
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM signin_failures WHERE login = $1 AND address = $2 AND at >= $3),
		(SELECT COUNT(*) FROM signin_failures WHERE address = $2 AND at >= $3),
		(SELECT COUNT(*) FROM signin_failures WHERE login = $1 AND at >= $3)`, login, address, since).Scan(&c.Pair, &c.Address, &c.Login)
	if err != nil {
		err = fmt.Errorf("count failures: %w", err)
	}
	return c, err
}

// SignInLock is how a login stands against the lock-out, for the person's
// page and an administrator who may clear it.
type SignInLock struct {
	Failures  int  `json:"failures"`   // failed sign-ins of the login within the window, from anywhere
	Addresses int  `json:"addresses"`  // addresses they came from
	Locked    bool `json:"locked"`     // some address (or every one) is refused now
	Everyone  bool `json:"everywhere"` // the per-login ceiling is reached: refused from every address
}

// SignInLockOf reports a login's failed sign-ins since a time and whether
// they lock it: from one address after maxPair, from everywhere after
// ceiling.
func (db *DB) SignInLockOf(ctx context.Context, login string, since time.Time, maxPair, ceiling int) (SignInLock, error) {
	var l SignInLock
	rows, err := db.r.QueryContext(ctx, `SELECT address, COUNT(*) FROM signin_failures WHERE login = $1 AND at >= $2 GROUP BY address`, login, since)
	if err != nil {
		return l, fmt.Errorf("count failures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var addr string
		var n int
		if err := rows.Scan(&addr, &n); err != nil {
			return l, err
		}
		l.Failures += n
		l.Addresses++
		if n >= maxPair {
			l.Locked = true
		}
	}
	if l.Failures >= ceiling {
		l.Locked, l.Everyone = true, true
	}
	return l, rows.Err()
}

// ClearSignInFailures forgets a login's failures from one address after it
// signs in from there; failures from elsewhere still count.
func (db *DB) ClearSignInFailures(ctx context.Context, login, address string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM signin_failures WHERE login = $1 AND address = $2`, login, address)
	return err
}

// ClearSignInLock forgets every failed sign-in of p's login, from every
// address, so that p may sign in at once; an administrator does it, and the
// audit records how many failures were forgotten.
func (tx *Tx) ClearSignInLock(ctx context.Context, p units.Person) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM signin_failures WHERE login = $1`, p.Login)
	if err != nil {
		return 0, fmt.Errorf("clear sign-in lock: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, tx.Audit(ctx, audit.Record{Action: "person.unlock", Entity: "person", EntityID: strconv.FormatInt(p.ID, 10), UnitCode: p.UnitCode,
		Before: audit.JSON(map[string]int64{"failures": n})})
}
