package store

import (
	"context"
	"fmt"
	"sync"
	"time"

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

// complCache keeps the completeness sets of recent reports.
type complCache struct {
	mu      sync.Mutex
	tree    *units.Tree
	started bool
	upto    int64   // every submission with id <= upto that will ever commit has been read
	gaps    []idGap // PostgreSQL: runs of ids above upto missing when last read
	reports map[int64]*complSets
	tick    uint64
	// counts of sets built, for tests
	built int
}

// complSets are one report's sets.
type complSets struct {
	due    time.Time
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

// complSetsFor returns a report's sets, caught up. The caller holds c.mu
// while it uses them.
func (db *DB) complSetsFor(ctx context.Context, c *complCache, tree *units.Tree, d *DemandRecord) (*complSets, error) {
	if c.tree != tree {
		c.tree, c.reports = tree, map[int64]*complSets{}
	}
	if !c.started {
		var maxID int64
		if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM submissions`).Scan(&maxID); err != nil {
			return nil, fmt.Errorf("completeness: %w", err)
		}
		if db.Dialect == Postgres {
			maxID = max(maxID-pgLookback, 0)
		}
		c.upto, c.gaps, c.started = maxID, nil, true
	}
	// Catch up first, so that upto is where the build below starts from:
	// a submission committed after the build reads has an id above it.
	if err := db.complCatchUp(ctx, c); err != nil {
		return nil, err
	}
	due := d.When().UTC()
	s := c.reports[d.ID]
	if s != nil && !s.due.Equal(due) {
		s = nil
	}
	if s == nil {
		var err error
		if s, err = db.complBuild(ctx, tree, d.ID, due); err != nil {
			return nil, err
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
	}
	c.tick++
	s.used = c.tick
	return s, nil
}

// complBuild reads a report's submissions along submissions_demand.
func (db *DB) complBuild(ctx context.Context, tree *units.Tree, demand int64, due time.Time) (*complSets, error) {
	n := tree.Len()
	s := &complSets{due: due, sub: collect.NewBitset(n), onTime: collect.NewBitset(n), other: map[string]bool{}}
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

// complCatchUp applies the submissions written since the cache last read,
// by any server, to the reports it holds.
func (db *DB) complCatchUp(ctx context.Context, c *complCache) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id, demand_id, unit_code, at FROM submissions WHERE id > $1 ORDER BY id`, c.upto)
	if err != nil {
		return fmt.Errorf("completeness: %w", err)
	}
	defer rows.Close()
	gs := newGapScan(c.upto)
	var id, demand int64
	var code string
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&id, &demand, &code, &at); err != nil {
			return err
		}
		gs.saw(id)
		if s, ok := c.reports[demand]; ok {
			s.add(c.tree, nil, code, at)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("completeness: %w", err)
	}
	upto := gs.next - 1
	if db.Dialect == Postgres {
		upto, c.gaps = gs.settle(c.gaps, c.upto, time.Now())
	}
	c.upto = max(c.upto, upto)
	return nil
}
