package units

import (
	"errors"
	"strings"
	"testing"
)

func TestReadCoordinates(t *testing.T) {
	got, err := ReadCoordinates(strings.NewReader("\ufeffcode,lat,lon\n430922,28.52,112.15\n430922112,28.53,112.12\n"), "c.csv")
	if err != nil || len(got) != 2 || got["430922"] != [2]float64{28.52, 112.15} {
		t.Fatalf("%v %v", got, err)
	}
	for in, want := range map[string]string{
		"":                                 "empty",
		"code,lon,lat\n":                   "header",
		"code,lat,lon\n43092,28,112\n":     "line 2: \"43092\" is not a statistical code",
		"code,lat,lon\n430922,north,112\n": "line 2: latitude",
		"code,lat,lon\n430922,28,200\n":    "line 2: longitude",
		"code,lat,lon\n430922,28,112\n430922,28,112\n": "line 3: unit 430922 appears twice",
		"code,lat,lon\n430922,28\n":                    "line 2: 2 columns",
	} {
		_, err := ReadCoordinates(strings.NewReader(in), "c.csv")
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzReadCoordinates(f *testing.F) {
	f.Add("code,lat,lon\n430922,28.52,112.15\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ReadCoordinates(strings.NewReader(s), "f.csv")
		if err == nil {
			for code, p := range got {
				if _, ok := LevelOfCode(code); !ok || p[0] < 3 || p[0] > 54 || p[1] < 73 || p[1] > 136 {
					t.Fatalf("accepted %s %v", code, p)
				}
			}
		}
	})
}
