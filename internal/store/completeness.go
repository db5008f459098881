package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"lighten/internal/collect"
	"lighten/internal/units"
)

// A report's completeness is counted from two sets per report kept in
// memory over the tree index's positions, as the fresh-value sets are
// (known.go): the units that submitted, and the units whose first
// submission was on time. A unit's first submission is on time exactly
// when any of its submissions is (at <= due), so both sets only gain
// members and a submission read twice changes nothing. A report's sets
// are built on first use from one read along the index submissions_demand,
// then caught up from the submissions written since, by any server, by
// id. They are built again when the tree changes (positions move) or the
// report's due time does. Codes not in the tree, which the SQL counted
// too, are kept aside by code.
//
// Catching up by id needs care on PostgreSQL, where ids commit in any
// order (idgaps.go); and when a server starts, it reads again the last
// pgLookback ids.

// complReports is how many reports' sets a server keeps.
const complReports = 64

const pgLookback = 10_000

// complCache keeps the completeness sets of recent reports. mu is held
// only to look at or change them in memory, never across a query, as
// collectCache's (known.go).
type complCache struct {
	mu      sync.Mutex
	tree    *units.Tree
	started bool
	upto    int64      // every submission with id <= upto that will ever commit has been read, save the gaps'
	follow  idFollower // PostgreSQL: runs of ids missing (idgaps.go)
	reports map[int64]*complSets
	tick    uint64
	// runs counts the catch-ups begun, caught is the last that finished;
	// catching lets one run at a time.
	runs, caught uint64
	catching     chan struct{}
	flights      singleflight.Group
	// counts of sets built, for tests
	built int
}

// complSets are one report's sets.
type complSets struct {
	due    time.Time
	upto   int64 // every submission with id <= upto is applied, save the gaps'
	sub    collect.Bitset
	onTime collect.Bitset
	other  map[string]bool // codes not in the tree: on time?
	used   uint64
}

func (s *complSets) add(tree *units.Tree, cur *posCursor, code string, at time.Time) {
	on := !at.After(s.due)
	p, ok := 0, false
	if cur != nil {
		p, ok = cur.pos(code)
	} else {
		p, ok = tree.Pos(code)
	}
	if !ok {
		s.other[code] = s.other[code] || on
		return
	}
	s.sub.Set(p)
	if on {
		s.onTime.Set(p)
	}
}

// count is how many units under code (itself included, as the SQL's code
// range does) submitted, and how many on time.
func (s *complSets) count(tree *units.Tree, code string) (n, on int) {
	l := units.Province
	if code != "" {
		l, _ = units.LevelOfCode(code)
	}
	for ; l.Valid(); l++ {
		lo, hi := tree.UnderRange(l, code)
		if lo < hi {
			n += s.sub.Count(lo, hi)
			on += s.onTime.Count(lo, hi)
		}
	}
	for c, o := range s.other {
		if units.Contains(code, c) {
			n++
			if o {
				on++
			}
		}
	}
	return n, on
}

// complSetsFor returns a report's sets, caught up. The caller takes c.mu
// to count from them.
func (db *DB) complSetsFor(ctx context.Context, c *complCache, tree *units.Tree, d *DemandRecord) (*complSets, error) {
	c.mu.Lock()
	started := c.started
	c.mu.Unlock()
	if !started {
		_, err := flight(ctx, &c.flights, "start", func(ctx context.Context) (bool, error) {
			var maxID int64
			if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM submissions`).Scan(&maxID); err != nil {
				return false, fmt.Errorf("completeness: %w", err)
			}
			if db.Dialect == Postgres {
				maxID = max(maxID-pgLookback, 0)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if !c.started {
				c.upto, c.started = maxID, true
			}
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Catch up first, so that upto is where the build below starts from:
	// a submission committed after the build reads has an id above it.
	if err := db.complCatchUp(ctx, c); err != nil {
		return nil, err
	}
	due := d.When().UTC()
	c.mu.Lock()
	if c.tree != tree {
		c.tree, c.reports = tree, map[int64]*complSets{}
	}
	s := c.reports[d.ID]
	from := c.upto
	c.mu.Unlock()
	if s != nil && s.due.Equal(due) {
		return c.touch(s), nil
	}
	key := fmt.Sprintf("build %p %d %d", tree, d.ID, due.UnixMicro())
	s, err := flight(ctx, &c.flights, key, func(ctx context.Context) (*complSets, error) {
		s, err := db.complBuild(ctx, tree, d.ID, due)
		if err != nil {
			return nil, err
		}
		s.upto = from
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.tree != tree {
			return nil, nil
		}
		if cur := c.reports[d.ID]; cur != nil && cur.due.Equal(due) {
			return cur, nil
		}
		c.built++
		if len(c.reports) >= complReports {
			var old int64
			first := true
			for id, r := range c.reports {
				if first || r.used < c.reports[old].used {
					old, first = id, false
				}
			}
			delete(c.reports, old)
		}
		c.reports[d.ID] = s
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	if s == nil { // the tree changed meanwhile
		return complBlank(tree, due), nil
	}
	// What was submitted while the sets were built.
	if err := db.complCatchUp(ctx, c); err != nil {
		return nil, err
	}
	return c.touch(s), nil
}

func complBlank(tree *units.Tree, due time.Time) *complSets {
	n := tree.Len()
	return &complSets{due: due, sub: collect.NewBitset(n), onTime: collect.NewBitset(n), other: map[string]bool{}}
}

// touch marks a report's sets used, for the choice of which to drop.
func (c *complCache) touch(s *complSets) *complSets {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	s.used = c.tick
	return s
}

// complBuild reads a report's submissions along submissions_demand.
func (db *DB) complBuild(ctx context.Context, tree *units.Tree, demand int64, due time.Time) (*complSets, error) {
	s := complBlank(tree, due)
	rows, err := db.r.QueryContext(ctx, `SELECT unit_code, at FROM submissions WHERE demand_id = $1 ORDER BY unit_code, at`, demand)
	if err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	defer rows.Close()
	cur := &posCursor{tree: tree}
	var code, last string
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&code, &at); err != nil {
			return nil, err
		}
		if code == last {
			continue // a correction: the first submission counts
		}
		last = code
		s.add(tree, cur, code, at)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	return s, nil
}

// submRow is a submission as a catch-up reads it.
type submRow struct {
	id, demand int64
	code       string
	at         time.Time
	gap        bool
}

// complCatchUp applies the submissions written since the cache last read,
// by any server, to the reports it holds: one catch-up at a time, reading
// with no lock held, as the fresh-value sets' (known.go).
func (db *DB) complCatchUp(ctx context.Context, c *complCache) error {
	c.mu.Lock()
	asked := c.runs
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
	c.runs++
	run, tree, from := c.runs, c.tree, c.upto
	parts := map[*complSets]bool{}
	for _, s := range c.reports {
		parts[s] = true
		from = min(from, s.upto)
	}
	gaps := slices.Clone(c.follow.gaps)
	c.mu.Unlock()

	apply := func(rows []submRow) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.tree != tree {
			return
		}
		for _, r := range rows {
			if s, ok := c.reports[r.demand]; ok && (r.id > s.upto || r.gap) {
				s.add(tree, nil, r.code, r.at)
			}
		}
	}
	var filled []int64
	if db.Dialect == Postgres && len(gaps) > 0 {
		lo, hi := gapBounds(gaps)
		rows, err := db.readSubmissions(ctx, `SELECT s.id, s.demand_id, s.unit_code, s.at
			FROM unnest($1::bigint[], $2::bigint[]) AS g (lo, hi) JOIN submissions s ON s.id BETWEEN g.lo AND g.hi`, lo, hi)
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
		rows, err := db.readSubmissions(ctx, `SELECT id, demand_id, unit_code, at FROM submissions WHERE id > $1 ORDER BY id LIMIT `+strconv.Itoa(catchChunk), gs.next-1)
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
	c.upto = max(c.upto, gs.next-1)
	for s := range parts {
		s.upto = max(s.upto, gs.next-1)
	}
	c.caught = run
	return nil
}

func (db *DB) readSubmissions(ctx context.Context, q string, args ...any) ([]submRow, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	defer rows.Close()
	var out []submRow
	for rows.Next() {
		var r submRow
		if err := rows.Scan(&r.id, &r.demand, &r.code, &r.at); err != nil {
			return nil, fmt.Errorf("completeness: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("completeness: %w", err)
	}
	return out, nil
}
