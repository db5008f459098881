package upload

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
)

// CSV reads an uploaded CSV file a record at a time within the limits: the
// file's bytes, a record's bytes (Line) and fields (Columns), the records
// (Rows) and all fields (Cells). The bytes are watched as they arrive, so
// that a record is refused before it is held, and the read stops when the
// context ends.
type CSV struct {
	*csv.Reader
	ctx     context.Context
	lim     Limits
	in      *guard
	records int
	cells   int
}

// NewCSV reads r as CSV, a record of any number of fields (up to the
// limit) at a time; a leading byte-order mark is dropped.
func NewCSV(ctx context.Context, r io.Reader, lim Limits) *CSV {
	g := &guard{r: r, lim: lim, line: 1, start: 1, bom: true}
	c := &CSV{Reader: csv.NewReader(g), ctx: ctx, lim: lim, in: g}
	c.FieldsPerRecord = -1
	return c
}

// Read reads the next record: io.EOF at the end, a *LimitError past a
// limit, a *csv.ParseError for malformed CSV, or the context's error.
func (c *CSV) Read() ([]string, error) {
	if c.records%checkEvery == 0 {
		if err := alive(c.ctx); err != nil {
			return nil, err
		}
	}
	rec, err := c.Reader.Read()
	if err != nil {
		if le, ok := c.in.err.(*LimitError); ok {
			return nil, le
		}
		return nil, err
	}
	c.records++
	c.cells += len(rec)
	line, _ := c.FieldPos(0)
	switch {
	case c.lim.Columns > 0 && len(rec) > c.lim.Columns:
		return nil, &LimitError{Limit: "columns", Max: int64(c.lim.Columns), Line: line}
	case c.lim.Rows > 0 && c.records > c.lim.Rows:
		return nil, &LimitError{Limit: "rows", Max: int64(c.lim.Rows)}
	case c.lim.Cells > 0 && c.cells > c.lim.Cells:
		return nil, &LimitError{Limit: "cells", Max: int64(c.lim.Cells)}
	}
	return rec, nil
}

// guard watches CSV bytes on their way to the parser: the file's size, and
// each record's bytes and fields, telling quoted commas and line breaks
// from those that separate (a doubled quote turns quoting off and on).
type guard struct {
	r      io.Reader
	lim    Limits
	err    error
	n      int64 // bytes so far
	line   int   // the line being read
	start  int   // the line the record began on
	size   int   // bytes of the record so far
	fields int   // fields of the record so far
	quoted bool
	bom    bool // a byte-order mark may yet come
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	k, err := g.r.Read(p)
	q := p[:k]
	if g.bom && k > 0 {
		g.bom = false
		if bytes.HasPrefix(q, []byte("\ufeff")) {
			copy(p, q[3:])
			k -= 3
			q = p[:k]
		}
	}
	g.n += int64(k)
	if g.lim.File > 0 && g.n > g.lim.File {
		g.err = &LimitError{Limit: "file", Max: g.lim.File}
		return 0, g.err
	}
	for _, b := range q {
		g.size++
		switch {
		case b == '"':
			g.quoted = !g.quoted
		case b == ',' && !g.quoted:
			g.fields++
		case b == '\n':
			g.line++
			if !g.quoted {
				g.size, g.fields, g.start = 0, 0, g.line
			}
		}
		if g.lim.Line > 0 && g.size > g.lim.Line {
			g.err = &LimitError{Limit: "line", Max: int64(g.lim.Line), Line: g.start}
			return 0, g.err
		}
		if g.lim.Columns > 0 && g.fields+1 > g.lim.Columns {
			g.err = &LimitError{Limit: "columns", Max: int64(g.lim.Columns), Line: g.start}
			return 0, g.err
		}
	}
	return k, err
}
