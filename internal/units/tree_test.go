package units

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// randomTree builds a small tree whose names are drawn from a few
// characters, so that searches match often and in overlapping ways.
func randomTree(t *rapid.T) []Unit {
	chars := []rune("桃江花山村镇县社区一二")
	name := func() string {
		n := rapid.IntRange(1, 5).Draw(t, "len")
		r := make([]rune, n)
		for i := range r {
			r[i] = chars[rapid.IntRange(0, len(chars)-1).Draw(t, "ch")]
		}
		return string(r)
	}
	var all []Unit
	var parents []Unit
	for _, p := range []string{"11", "43"} {
		u := Unit{Code: p, Name: name(), Level: Province}
		all, parents = append(all, u), append(parents, u)
	}
	for l := City; l <= Village; l++ {
		var next []Unit
		for _, p := range parents {
			k := rapid.IntRange(0, 3).Draw(t, "kids")
			for i := 1; i <= k; i++ {
				width := l.CodeLength() - len(p.Code)
				u := Unit{Code: p.Code + fmt.Sprintf("%0*d", width, i), Name: name(), Level: l, Parent: p.Code}
				all, next = append(all, u), append(next, u)
			}
		}
		parents = next
	}
	return all
}

// Search returns exactly the units a scan would, in tree order.
func TestSearchMatchesScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		all := randomTree(t)
		tree := NewTree(1, all)
		text := string([]rune("桃江花山村镇县社区一二")[rapid.IntRange(0, 10).Draw(t, "a")])
		if rapid.Bool().Draw(t, "two") {
			text += string([]rune("桃江花山村镇县社区一二")[rapid.IntRange(0, 10).Draw(t, "b")])
		}
		under := ""
		if rapid.Bool().Draw(t, "scoped") {
			under = all[rapid.IntRange(0, len(all)-1).Draw(t, "under")].Code
		}
		level := Level(rapid.IntRange(0, 5).Draw(t, "level"))
		limit := rapid.IntRange(1, 30).Draw(t, "limit")
		got, more := tree.Search(Query{Text: text, Under: under, Level: level, Limit: limit})
		var want []Unit
		for _, u := range tree.units { // tree order
			if strings.Contains(u.Name, text) && strings.HasPrefix(u.Code, under) && (level == 0 || u.Level == level) {
				want = append(want, u)
			}
		}
		wantMore := len(want) > limit
		if wantMore {
			want = want[:limit]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || more != wantMore {
			t.Fatalf("Search(%q under %q level %v limit %d) = %v %v, want %v %v", text, under, level, limit, got, more, want, wantMore)
		}
	})
}

// Children and subtree counts agree with the parent links.
func TestChildrenAndCounts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		all := randomTree(t)
		tree := NewTree(1, all)
		codes := append([]string{""}, func() []string {
			var c []string
			for _, u := range all {
				c = append(c, u.Code)
			}
			return c
		}()...)
		code := codes[rapid.IntRange(0, len(codes)-1).Draw(t, "code")]
		kids, total := tree.Children(code, 0, -1)
		var want []string
		below := 0
		for _, u := range all {
			if u.Parent == code {
				want = append(want, u.Code)
			}
			if u.Code != code && strings.HasPrefix(u.Code, code) {
				below++
			}
		}
		if total != len(want) || len(kids) != len(want) {
			t.Fatalf("children of %q: %d/%d, want %d", code, len(kids), total, len(want))
		}
		for i, k := range kids {
			if k.Code != want[i] {
				t.Fatalf("child %d of %q: %s, want %s", i, code, k.Code, want[i])
			}
		}
		if c := tree.SubtreeCounts(code); c[0] != below {
			t.Fatalf("count below %q: %d, want %d", code, c[0], below)
		}
		if off := rapid.IntRange(0, 4).Draw(t, "off"); off < total {
			page, _ := tree.Children(code, off, 1)
			if len(page) != 1 || page[0].Code != want[off] {
				t.Fatalf("page %d of %q: %v", off, code, page)
			}
		}
	})
}

func TestPathAndGet(t *testing.T) {
	tree := NewTree(1, []Unit{
		{Code: "43", Name: "湖南省", Level: Province},
		{Code: "4309", Name: "益阳市", Level: City, Parent: "43"},
		{Code: "430922", Name: "桃江县", Level: County, Parent: "4309"},
		{Code: "430922100", Name: "桃花江镇", Level: Township, Parent: "430922"},
	})
	var names []string
	for _, u := range tree.Path("430922100") {
		names = append(names, u.Name)
	}
	if strings.Join(names, "/") != "湖南省/益阳市/桃江县/桃花江镇" {
		t.Fatalf("path %v", names)
	}
	if _, ok := tree.Get("430923"); ok {
		t.Fatal("found a unit that is not there")
	}
	if u, ok := tree.Get("4309"); !ok || u.Name != "益阳市" {
		t.Fatal("Get 4309")
	}
	if got, _ := tree.Search(Query{Text: "4309"}); len(got) != 3 {
		t.Fatalf("code prefix: %v", got)
	}
}

func TestPlaceholders(t *testing.T) {
	for _, c := range []struct {
		l            Level
		name, parent string
		want         bool
	}{
		{City, "市辖区", "北京市", true},
		{City, "省直辖县级行政区划", "河南省", true},
		{City, "县", "重庆市", true},
		{City, "益阳市", "湖南省", false},
		{County, "东莞市", "东莞市", true},
		{County, "桃江县", "益阳市", false},
	} {
		if got := IsPlaceholder(c.l, c.name, c.parent); got != c.want {
			t.Errorf("IsPlaceholder(%v, %s, %s) = %v", c.l, c.name, c.parent, got)
		}
	}
}
