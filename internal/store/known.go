package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

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
type collectCache struct {
	mu      sync.Mutex
	dict    *Dictionary
	checked time.Time
	tree    *units.Tree
	periods map[string]*periodSets
	gaps    []idGap // PostgreSQL: runs of value ids missing when last caught up (idgaps.go)
	settled int64   // PostgreSQL: the furthest the sets were ever caught up to
	// counts of where sets came from, for tests
	loaded, built int
}

// periodSets are the fresh-value sets of every element of one period.
type periodSets struct {
	built time.Time                // when values gone stale were last left out
	upto  int64                    // every value with id <= upto is applied
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
	c.mu.Unlock()
}

// Known says which units hold a fresh value of an element for a period,
// as positions in the tree index.
func (db *DB) Known(ctx context.Context, e *collect.Element, period string) (collect.Known, error) {
	tree, err := db.Tree(ctx)
	if err != nil {
		return nil, err
	}
	dict, err := db.Dictionary(ctx) // before c.mu, which it takes too
	if err != nil {
		return nil, err
	}
	c := &db.collect
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tree != tree {
		c.tree, c.periods = tree, map[string]*periodSets{}
	}
	now := db.Now()
	ps := c.periods[period]
	if ps != nil {
		if d, ok := ps.days[e.ID]; (ok && d != e.ValidDays) || now.Sub(ps.built) >= knownHorizon {
			ps = nil // an element's validity changed, or too old to trust
		}
	}
	if ps == nil {
		if ps, err = db.loadPeriod(ctx, tree, dict, period, now); err != nil {
			return nil, err
		}
		if ps != nil {
			c.loaded++
		} else {
			if ps, err = db.buildPeriod(ctx, tree, dict, period, now); err != nil {
				return nil, err
			}
			c.built++
		}
		c.periods[period] = ps
	}
	if err := db.catchUp(ctx, c, dict, now); err != nil {
		return nil, err
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

// catchUp applies the values written since the cache last looked, by any
// server, to the fresh-value sets it holds. A value is applied only if it
// is current and fresh, so reading one again is harmless.
func (db *DB) catchUp(ctx context.Context, c *collectCache, dict *Dictionary, now time.Time) error {
	if len(c.periods) == 0 {
		return nil
	}
	from := int64(-1)
	for _, ps := range c.periods {
		if from < 0 || ps.upto < from {
			from = ps.upto
		}
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, unit_code, element_id, period, at, current FROM vals WHERE id > $1 ORDER BY id`, from)
	if err != nil {
		return fmt.Errorf("catch up on values: %w", err)
	}
	defer rows.Close()
	n := c.tree.Len()
	gs := newGapScan(from)
	var id, element int64
	var unit, period string
	var at time.Time
	var current bool
	for rows.Next() {
		if err := rows.Scan(&id, &unit, &element, &period, valAt{&at}, &current); err != nil {
			return err
		}
		gs.saw(id)
		ps, ok := c.periods[period]
		if !ok || !current || id <= ps.upto {
			continue
		}
		days := 0
		if e, ok := dict.ByID[element]; ok {
			if at.Before(e.FreshSince(now)) {
				continue
			}
			days = e.ValidDays
		}
		if p, ok := c.tree.Pos(unit); ok {
			ps.set(element, n, days).Set(p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catch up on values: %w", err)
	}
	if db.Dialect == Postgres {
		// Every period has now read every value above from that has
		// committed, save the runs still missing: all start again below
		// the first of them.
		upto, gaps := gs.settle(c.gaps, c.settled, time.Now())
		c.gaps, c.settled = gaps, max(c.settled, upto)
		for _, ps := range c.periods {
			ps.upto = upto
		}
		return nil
	}
	for _, ps := range c.periods {
		ps.upto = max(ps.upto, gs.next-1)
	}
	return nil
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
	defer c.mu.Unlock()
	old.refreshing = false
	if err != nil {
		if ctx.Err() == nil {
			slog.Warn("rebuild fresh-value sets", "period", period, "err", err)
		}
		return
	}
	if c.tree != tree || c.periods[period] != old {
		return
	}
	c.periods[period] = ps
	c.built++
	// Catch the new sets up before saving them, from the values the old
	// ones had already applied (their upto is at least ps.upto).
	if err := db.catchUp(ctx, c, dict, db.Now()); err != nil {
		return
	}
	db.save(tree, period, ps, db.Now())
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
