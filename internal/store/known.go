package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"lighten/internal/collect"
	"lighten/internal/units"
)

// Which units hold a fresh value of an element for a period is kept per
// server as a bitset over the tree index's positions, for every element
// of a period together (periodSets). A period's sets come, in order of
// preference, from memory; from the snapshot some server saved in
// known_sets, if it was made for the same tree and is less than
// knownHorizon old; or from one pass along the index vals_key. They are
// then caught up from the values written since (by any server: value ids
// only grow), saved again now and then, and built again in the background
// before they are knownHorizon old, so that values going stale with time
// drop out.

// knownHorizon is how long after they were built fresh-value sets are
// trusted: a value that goes stale stays known at most this long.
const knownHorizon = time.Hour

// knownRefresh is when sets are built again in the background, so that a
// server in use never reaches knownHorizon and never builds them while a
// check waits, and a snapshot less than knownHorizon old is normally in
// the database for a server that starts.
const knownRefresh = 45 * time.Minute

// A snapshot is saved again when this many value ids were caught up since
// the last one, or this long after it, whichever comes first, so that a
// server starting has little to catch up.
const (
	snapshotIDs   = 200_000
	snapshotEvery = 5 * time.Minute
)

// snapshotBehind is how many value ids a snapshot may be behind before
// reading them one by one costs more than a pass over the period's index.
const snapshotBehind = 4_000_000

// valsLookback is how many value ids below the highest a build of the
// fresh-value sets on PostgreSQL reads again when catching up: ids handed
// out to transactions still open during the build (a thousand submissions
// of 250 values).
const valsLookback = 250_000

// collectCache keeps the dictionary and, per period, which units hold a
// fresh value of each element, in step with the database by reading only
// the values added since it last looked.
//
// mu guards the fields and is held only to look at them or change them in
// memory: never while a query runs or a connection is awaited, so that a
// request holding a connection never waits for one that waits for a
// connection. Reads are made before it is taken, and what they found is
// put in place after: the dictionary and a period's sets are read once
// for all who ask at the same time (flights), the values written since
// by one catch-up at a time (catching).
type collectCache struct {
	mu      sync.Mutex
	dict    *Dictionary
	dictGen uint64 // moved by every change to the dictionary
	checked time.Time
	tree    *units.Tree
	periods map[string]*periodSets
	follow  idFollower // PostgreSQL: runs of value ids missing (idgaps.go)
	// started counts the catch-ups begun, caught is the last one that
	// finished; catching lets one run at a time.
	started, caught uint64
	catching        chan struct{}
	flights         singleflight.Group
	// counts of where sets came from, and of the values rows read
	// catching up, for tests
	loaded, built int
	rowsRead      int64
}

// periodSets are the fresh-value sets of every element of one period.
type periodSets struct {
	built time.Time                // when values gone stale were last left out
	upto  int64                    // every value with id <= upto is applied, save the gaps' (idgaps.go)
	sets  map[int64]collect.Bitset // by element id
	days  map[int64]int            // each element's valid_days when its set was made

	saved      time.Time // when this server last saved them (or loaded them)
	savedUpto  int64
	saving     bool
	refreshing bool
}

func (c *collectCache) forgetElements() {
	c.mu.Lock()
	c.dict = nil
	c.dictGen++
	c.mu.Unlock()
}

// flightTimeout bounds a read made once for several callers, which
// therefore runs under none of their contexts.
const flightTimeout = time.Minute

// flight runs fn once for every caller asking with the same key at the same
// time, and waits for it at most as long as ctx allows. fn runs under a
// context of its own, so that one caller giving up does not fail the
// others.
func flight[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
		defer cancel()
		return fn(fctx)
	})
	var zero T
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Known says which units hold a fresh value of an element for a period,
// as positions in the tree index.
func (db *DB) Known(ctx context.Context, e *collect.Element, period string) (collect.Known, error) {
	tree, err := db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	dict, err := db.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	if err := db.period(ctx, tree, dict, e, period, now); err != nil {
		return nil, err
	}
	if err := db.catchUp(ctx, dict, now); err != nil {
		return nil, err
	}
	c := &db.collect
	c.mu.Lock()
	defer c.mu.Unlock()
	ps := c.periods[period]
	if c.tree != tree || ps == nil {
		// The tree changed while this call read: its sets are gone.
		return collect.NewBitset(tree.Len()), nil
	}
	switch {
	case !ps.refreshing && now.Sub(ps.built) >= knownRefresh:
		ps.refreshing = true
		db.bg.Add(1)
		go db.rebuild(tree, period, ps)
	case !ps.saving && ps.upto > ps.savedUpto && (ps.upto-ps.savedUpto >= snapshotIDs || now.Sub(ps.saved) >= snapshotEvery):
		db.save(tree, period, ps, now)
	}
	return ps.set(e.ID, tree.Len(), e.ValidDays), nil
}

// period makes sure a period's sets are in the cache and can be used for
// e: loaded from a snapshot or built, outside the cache's lock and once for
// all who ask at the same time.
func (db *DB) period(ctx context.Context, tree *units.Tree, dict *Dictionary, e *collect.Element, period string, now time.Time) error {
	c := &db.collect
	usable := func(ps *periodSets) bool {
		if ps == nil {
			return false
		}
		d, ok := ps.days[e.ID]
		return !(ok && d != e.ValidDays) && now.Sub(ps.built) < knownHorizon // else its validity changed, or too old to trust
	}
	c.mu.Lock()
	if c.tree != tree {
		c.tree, c.periods = tree, map[string]*periodSets{}
	}
	ok := usable(c.periods[period])
	c.mu.Unlock()
	if ok {
		return nil
	}
	key := fmt.Sprintf("period %p %s %d", tree, period, e.ValidDays)
	_, err := flight(ctx, &c.flights, key, func(ctx context.Context) (bool, error) {
		ps, err := db.loadPeriod(ctx, tree, dict, period, now)
		if err != nil {
			return false, err
		}
		loaded := ps != nil
		if !loaded {
			if ps, err = db.buildPeriod(ctx, tree, dict, period, now); err != nil {
				return false, err
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.tree == tree && !usable(c.periods[period]) {
			c.periods[period] = ps
			if loaded {
				c.loaded++
			} else {
				c.built++
			}
		}
		return true, nil
	})
	return err
}

// set is an element's set, made empty when the period holds none of its
// values yet, so that catching up fills it.
func (ps *periodSets) set(element int64, n, days int) collect.Bitset {
	b, ok := ps.sets[element]
	if !ok {
		b = collect.NewBitset(n)
		ps.sets[element], ps.days[element] = b, days
	}
	return b
}

// buildPeriod builds the fresh-value sets of every element of a period in
// one pass along the index vals_key, which holds all it needs, so the
// table itself is not read: a report's 50 elements cost one scan, not 50.
// Values of elements with a limited validity are left out in SQL when
// collected before the element's horizon, still within the index.
func (db *DB) buildPeriod(ctx context.Context, tree *units.Tree, dict *Dictionary, period string, now time.Time) (*periodSets, error) {
	ps := &periodSets{built: now, sets: map[int64]collect.Bitset{}, days: map[int64]int{}}
	// Values with a larger id than this are read again when catching up.
	// On PostgreSQL, a transaction still open may hold smaller ids and
	// commit after the read below (idgaps.go): the last valsLookback ids
	// are read again too.
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM vals`).Scan(&ps.upto); err != nil {
		return nil, fmt.Errorf("read known values: %w", err)
	}
	if db.Dialect == Postgres {
		ps.upto = max(ps.upto-valsLookback, 0)
	}
	q := `SELECT unit_code, element_id FROM vals WHERE period = $1 AND current`
	args := []any{period}
	byDays := map[int][]int64{}
	for _, e := range dict.ByID {
		if e.ValidDays > 0 {
			byDays[e.ValidDays] = append(byDays[e.ValidDays], e.ID)
		}
	}
	days := make([]int, 0, len(byDays))
	for d := range byDays {
		days = append(days, d)
	}
	sort.Ints(days)
	for _, d := range days {
		args = append(args, db.valAt(now.AddDate(0, 0, -d)))
		q += ` AND NOT (at < $` + strconv.Itoa(len(args)) + ` AND element_id IN (`
		for i, id := range byDays[d] {
			if i > 0 {
				q += ","
			}
			q += strconv.FormatInt(id, 10)
		}
		q += `))`
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read known values: %w", err)
	}
	defer rows.Close()
	var code string
	var id, lastID int64
	var b collect.Bitset
	cur := posCursor{tree: tree}
	n := tree.Len()
	for rows.Next() {
		if err := rows.Scan(&code, &id); err != nil {
			return nil, err
		}
		if b == nil || id != lastID {
			d := 0
			if e, ok := dict.ByID[id]; ok {
				d = e.ValidDays
			}
			b, lastID = ps.set(id, n, d), id
		}
		if p, ok := cur.pos(code); ok {
			b.Set(p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read known values: %w", err)
	}
	return ps, nil
}

// catchChunk is how many values a catch-up reads at a time; each chunk
// is applied under the cache's lock, quickly, between reads.
const catchChunk = 50_000

// valRow is a value as a catch-up reads it.
type valRow struct {
	id, element  int64
	unit, period string
	at           time.Time
	current      bool
	gap          bool // read again from a run of missing ids
}

// catchUp applies the values written since the cache last looked, by any
// server, to the fresh-value sets it holds. A value is applied only if it
// is current and fresh, so reading one again is harmless. One catch-up runs
// at a time; a call finds its work done if one that began after it was
// made has finished meanwhile. The reads hold no lock; what they found is
// applied under the cache's lock, chunk by chunk.
func (db *DB) catchUp(ctx context.Context, dict *Dictionary, now time.Time) error {
	c := &db.collect
	c.mu.Lock()
	if len(c.periods) == 0 {
		c.mu.Unlock()
		return nil
	}
	asked := c.started
	c.mu.Unlock()
	select {
	case c.catching <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.catching }()

	c.mu.Lock()
	if c.caught > asked {
		c.mu.Unlock()
		return nil
	}
	c.started++
	run := c.started
	tree := c.tree
	from := int64(-1)
	parts := map[*periodSets]bool{}
	for _, ps := range c.periods {
		parts[ps] = true
		if from < 0 || ps.upto < from {
			from = ps.upto
		}
	}
	gaps := slices.Clone(c.follow.gaps)
	c.mu.Unlock()

	apply := func(rows []valRow) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.rowsRead += int64(len(rows))
		if c.tree != tree {
			return
		}
		n := tree.Len()
		for _, r := range rows {
			ps, ok := c.periods[r.period]
			if !ok || !r.current || (r.id <= ps.upto && !r.gap) {
				continue
			}
			days := 0
			if e, ok := dict.ByID[r.element]; ok {
				if r.at.Before(e.FreshSince(now)) {
					continue
				}
				days = e.ValidDays
			}
			if p, ok := tree.Pos(r.unit); ok {
				ps.set(r.element, n, days).Set(p)
			}
		}
	}
	// On PostgreSQL, the runs of ids missing last time, read again along
	// the primary key: nothing else below what was read is.
	var filled []int64
	if db.Dialect == Postgres && len(gaps) > 0 {
		lo, hi := gapBounds(gaps)
		rows, err := db.readVals(ctx, `SELECT v.id, v.unit_code, v.element_id, v.period, v.at, v.current
			FROM unnest($1::bigint[], $2::bigint[]) AS g (lo, hi) JOIN vals v ON v.id BETWEEN g.lo AND g.hi`, lo, hi)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i].gap = true
			filled = append(filled, rows[i].id)
		}
		apply(rows)
	}
	gs := newGapScan(from)
	for {
		rows, err := db.readVals(ctx, `SELECT id, unit_code, element_id, period, at, current FROM vals WHERE id > $1 ORDER BY id LIMIT `+strconv.Itoa(catchChunk), gs.next-1)
		if err != nil {
			return err
		}
		for _, r := range rows {
			gs.saw(r.id)
		}
		apply(rows)
		if len(rows) < catchChunk {
			break
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if db.Dialect == Postgres {
		c.follow.update(gs, filled, time.Now())
	}
	for ps := range parts {
		ps.upto = max(ps.upto, gs.next-1)
	}
	c.caught = run
	return nil
}

// readVals runs a catch-up's query on the readers.
func (db *DB) readVals(ctx context.Context, q string, args ...any) ([]valRow, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("catch up on values: %w", err)
	}
	defer rows.Close()
	var out []valRow
	for rows.Next() {
		var r valRow
		if err := rows.Scan(&r.id, &r.unit, &r.element, &r.period, valAt{&r.at}, &r.current); err != nil {
			return nil, fmt.Errorf("catch up on values: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catch up on values: %w", err)
	}
	return out, nil
}

// rebuild builds a period's sets again in the background, without holding
// the cache while it reads, and puts them in place of old.
func (db *DB) rebuild(tree *units.Tree, period string, old *periodSets) {
	defer db.bg.Done()
	ctx := db.bgCtx
	var ps *periodSets
	dict, err := db.Dictionary(ctx)
	if err == nil {
		ps, err = db.buildPeriod(ctx, tree, dict, period, db.Now())
	}
	c := &db.collect
	c.mu.Lock()
	old.refreshing = false
	if err != nil {
		c.mu.Unlock()
		if ctx.Err() == nil {
			slog.Warn("rebuild fresh-value sets", "period", period, "err", err)
		}
		return
	}
	if c.tree != tree || c.periods[period] != old {
		c.mu.Unlock()
		return
	}
	c.periods[period] = ps
	c.built++
	c.mu.Unlock()
	// Catch the new sets up before saving them, from where they were built.
	if err := db.catchUp(ctx, dict, db.Now()); err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tree == tree && c.periods[period] == ps && !ps.saving {
		db.save(tree, period, ps, db.Now())
	}
}

// save writes a copy of a period's sets to known_sets in the background.
// It is called with the cache locked.
func (db *DB) save(tree *units.Tree, period string, ps *periodSets, now time.Time) {
	ps.saving = true
	blob := ps.encode()
	upto, built := ps.upto, ps.built
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		// Not db.bgCtx: a save under way finishes when the database closes.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := db.saveSnapshot(ctx, tree, period, upto, built, blob)
		if err != nil {
			slog.Warn("save fresh-value sets", "period", period, "err", err)
		}
		c := &db.collect
		c.mu.Lock()
		defer c.mu.Unlock()
		ps.saving = false
		if err == nil {
			ps.saved, ps.savedUpto = now, upto
		}
	}()
}

// saveSnapshot writes a period's snapshot unless the one saved already is
// for a newer tree, or was built later, or built at the same time and
// caught up further: servers sharing a database each save theirs, and the
// newest stays.
func (db *DB) saveSnapshot(ctx context.Context, tree *units.Tree, period string, upto int64, built time.Time, blob []byte) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO known_sets (period, units_version, units, upto, built, sets) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (period) DO UPDATE SET units_version = excluded.units_version, units = excluded.units, upto = excluded.upto,
			built = excluded.built, sets = excluded.sets
		WHERE excluded.units_version > known_sets.units_version OR (excluded.units_version = known_sets.units_version
			AND (excluded.built > known_sets.built OR (excluded.built = known_sets.built AND excluded.upto > known_sets.upto)))`,
		period, tree.Version(), tree.Len(), upto, built, blob)
	return err
}

// loadPeriod reads a period's snapshot, or nil if there is none to use:
// made for another tree (positions change when the tree is imported
// again), built knownHorizon ago or more, too far behind the values
// written since, or for an element whose validity has changed since.
func (db *DB) loadPeriod(ctx context.Context, tree *units.Tree, dict *Dictionary, period string, now time.Time) (*periodSets, error) {
	var version, upto, maxID int64
	var n int
	var built time.Time
	var blob []byte
	err := db.r.QueryRowContext(ctx, `SELECT units_version, units, upto, built, sets FROM known_sets WHERE period = $1`, period).
		Scan(&version, &n, &upto, &built, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read known sets: %w", err)
	}
	if version != tree.Version() || n != tree.Len() || now.Sub(built) >= knownHorizon {
		return nil, nil
	}
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM vals`).Scan(&maxID); err != nil {
		return nil, fmt.Errorf("read known sets: %w", err)
	}
	if maxID-upto > snapshotBehind {
		return nil, nil
	}
	ps, err := decodeSets(blob, n)
	if err != nil {
		slog.Warn("fresh-value sets unreadable; building them again", "period", period, "err", err)
		return nil, nil
	}
	for id, d := range ps.days {
		if e, ok := dict.ByID[id]; ok && e.ValidDays != d {
			return nil, nil
		}
	}
	ps.built, ps.upto, ps.saved, ps.savedUpto = built, upto, now, upto
	return ps, nil
}

// setsFormat is the first byte of an encoded snapshot.
const setsFormat = 1

// encode writes the sets: for each element, its id and valid_days, then
// its words as runs of zero words skipped and words written (little
// endian), so that sparse sets take little room.
func (ps *periodSets) encode() []byte {
	ids := make([]int64, 0, len(ps.sets))
	size := 1
	for id, b := range ps.sets {
		ids = append(ids, id)
		size += 8 * len(b)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]byte, 0, size/4+64)
	out = append(out, setsFormat)
	for _, id := range ids {
		b := ps.sets[id]
		out = binary.AppendUvarint(out, uint64(id))
		out = binary.AppendUvarint(out, uint64(max(ps.days[id], 0)))
		for i := 0; i < len(b); {
			z := i
			for z < len(b) && b[z] == 0 {
				z++
			}
			w := z
			for w < len(b) && b[w] != 0 {
				w++
			}
			out = binary.AppendUvarint(out, uint64(z-i))
			out = binary.AppendUvarint(out, uint64(w-z))
			for _, x := range b[z:w] {
				out = binary.LittleEndian.AppendUint64(out, x)
			}
			i = w
		}
	}
	return out
}

func decodeSets(blob []byte, n int) (*periodSets, error) {
	ps := &periodSets{sets: map[int64]collect.Bitset{}, days: map[int64]int{}}
	if len(blob) == 0 || blob[0] != setsFormat {
		return nil, errors.New("unknown format")
	}
	words := (n + 63) / 64
	p := blob[1:]
	next := func() (uint64, error) {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			return 0, errors.New("truncated")
		}
		p = p[k:]
		return v, nil
	}
	for len(p) > 0 {
		id, err := next()
		if err != nil {
			return nil, err
		}
		days, err := next()
		if err != nil {
			return nil, err
		}
		b := collect.NewBitset(n)
		for i := 0; i < words; {
			z, err := next()
			if err != nil {
				return nil, err
			}
			w, err := next()
			if err != nil {
				return nil, err
			}
			if z+w == 0 || uint64(i)+z+w > uint64(words) || uint64(len(p)) < 8*w {
				return nil, errors.New("bad run")
			}
			i += int(z)
			for k := 0; k < int(w); k++ {
				b[i] = binary.LittleEndian.Uint64(p)
				p = p[8:]
				i++
			}
		}
		ps.sets[int64(id)], ps.days[int64(id)] = b, int(days)
	}
	return ps, nil
}

// posCursor finds the tree positions of codes that mostly come in code
// order, as rows read along an index do: it looks a few units past the
// last one found before searching the whole level, which for a national
// report saves a binary search over 620,000 villages per value.
type posCursor struct {
	tree  *units.Tree
	level units.Level
	us    []units.Unit // the units of level, in code order
	base  int          // the position of us[0]
	next  int          // the index in us after the last one found
	last  string       // the last code found, at position lastP
	lastP int
}

func (c *posCursor) pos(code string) (int, bool) {
	if code == c.last && c.last != "" {
		return c.lastP, true // a unit's values of several elements, in a row
	}
	p, ok := c.find(code)
	if ok {
		c.last, c.lastP = code, p
	}
	return p, ok
}

func (c *posCursor) find(code string) (int, bool) {
	l, ok := units.LevelOfCode(code)
	if !ok {
		return 0, false
	}
	if c.us == nil || l != c.level {
		c.level, c.us, c.next = l, c.tree.Under(l, ""), 0
		c.base, _ = c.tree.UnderRange(l, "")
	}
	for i := c.next; i < min(c.next+8, len(c.us)); i++ {
		if c.us[i].Code == code {
			c.next = i + 1
			return c.base + i, true
		}
	}
	p, ok := c.tree.Pos(code)
	if ok {
		c.next = p - c.base + 1
	}
	return p, ok
}
