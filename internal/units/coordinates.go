package units

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
)

// ReadCoordinates reads where units are: CSV with the header
// "code,lat,lon" (degrees, WGS-84), one unit a line. The gate uses them
// for travel to meetings. Every fault names the line and the column.
func ReadCoordinates(r io.Reader, name string) (map[string][2]float64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	bad := func(line int, col, key string, args ...any) error {
		return &ImportError{File: name, Line: line, Column: col, Key: key, Args: args}
	}
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, bad(0, "", "problem.coords.empty")
	}
	if err != nil {
		return nil, bad(1, "", "problem.coords.not_csv", err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if strings.Join(head, ",") != "code,lat,lon" {
		return nil, bad(1, "", "problem.coords.header", strings.Join(head, ","))
	}
	out := map[string][2]float64{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A record that does not parse has no fields to locate.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, bad(line, "", "problem.coords.not_csv", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 {
			return nil, bad(line, "", "problem.coords.columns", len(rec))
		}
		code := strings.TrimSpace(rec[0])
		if _, ok := LevelOfCode(code); !ok {
			return nil, bad(line, "code", "problem.coords.code", code)
		}
		if _, dup := out[code]; dup {
			return nil, bad(line, "code", "problem.coords.twice", code)
		}
		lat, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil || lat < 3 || lat > 54 {
			return nil, bad(line, "lat", "problem.coords.lat", rec[1])
		}
		lon, err := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		if err != nil || lon < 73 || lon > 136 {
			return nil, bad(line, "lon", "problem.coords.lon", rec[2])
		}
		out[code] = [2]float64{lat, lon}
	}
	return out, nil
}
