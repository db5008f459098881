package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"lighten/internal/i18n"
	"lighten/internal/units"
)

// templateSources reads every template file.
func templateSources(t *testing.T) map[string]string {
	t.Helper()
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	out := map[string]string{}
	for _, n := range names {
		b, err := fs.ReadFile(templateFiles, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = string(b)
	}
	return out
}

// walkCommands calls visit for every command in a template's tree.
func walkCommands(n parse.Node, visit func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkCommands(c, visit)
			}
		}
	case *parse.ActionNode:
		walkCommands(n.Pipe, visit)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walkCommands(c, visit)
			}
		}
	case *parse.CommandNode:
		visit(n)
		for _, a := range n.Args {
			walkCommands(a, visit)
		}
	case *parse.ChainNode:
		walkCommands(n.Node, visit)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.TemplateNode:
		walkCommands(n.Pipe, visit)
	}
}

func walkBranch(b *parse.BranchNode, visit func(*parse.CommandNode)) {
	walkCommands(b.Pipe, visit)
	walkCommands(b.List, visit)
	walkCommands(b.ElseList, visit)
}

// templateKeys lists the keys passed to t in the templates; t must be
// given a literal key, so that every one can be checked here.
func templateKeys(t *testing.T) map[string][]string {
	t.Helper()
	keys := map[string][]string{} // key -> files using it
	for name, src := range templateSources(t) {
		tmpl, err := template.New(name).Funcs(template.FuncMap(uiFuncs(i18n.EN))).Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, d := range tmpl.Templates() {
			if d.Tree == nil {
				continue
			}
			walkCommands(d.Tree.Root, func(c *parse.CommandNode) {
				id, ok := c.Args[0].(*parse.IdentifierNode)
				if !ok || id.Ident != "t" {
					return
				}
				if len(c.Args) < 2 {
					t.Errorf("%s: t without a key: %s", name, c)
					return
				}
				s, ok := c.Args[1].(*parse.StringNode)
				if !ok {
					t.Errorf("%s: t must be given a literal key, not %s", name, c.Args[1])
					return
				}
				keys[s.Text] = append(keys[s.Text], name)
			})
		}
	}
	return keys
}

// goKeys lists the "ui.…" literals in the UI's Go files. Literals ending in
// a dot are the prefixes of the key families checked in familyKeys.
func goKeys(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("ui*.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"(ui\.[a-z0-9_.]*[a-z0-9_])"`)
	keys := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = append(keys[m[1]], f)
		}
	}
	if len(keys) == 0 {
		t.Fatal("found no keys in the UI's Go files")
	}
	return keys
}

// familyKeys are the keys built from levels, roles and actions.
func familyKeys() []string {
	var out []string
	for l := units.Province; l <= units.Village; l++ {
		out = append(out, keyOfLevel(l))
	}
	for _, r := range units.Roles {
		out = append(out, keyOfRole(r), keyOfRole(r)+".about")
	}
	for _, a := range sortedActions() {
		out = append(out, keyOfAction(a))
	}
	return out
}

// Every key the UI uses exists (in both languages, which i18n's own test
// checks), and every ui.* key in the catalogue is used.
func TestUIMissingTranslations(t *testing.T) {
	used := map[string]bool{}
	for k, files := range templateKeys(t) {
		used[k] = true
		if _, ok := i18n.Lookup(k); !ok {
			t.Errorf("key %q used in %v is not in the catalogue", k, files)
		}
	}
	for k, files := range goKeys(t) {
		used[k] = true
		if _, ok := i18n.Lookup(k); !ok {
			t.Errorf("key %q used in %v is not in the catalogue", k, files)
		}
	}
	for _, k := range familyKeys() {
		used[k] = true
		if _, ok := i18n.Lookup(k); !ok {
			t.Errorf("key %q (a level, role or action) is not in the catalogue", k)
		}
	}
	for _, k := range i18n.Keys() {
		if strings.HasPrefix(k, "ui.") && !used[k] {
			t.Errorf("catalogue key %q is used nowhere", k)
		}
	}
}

var (
	bareAction  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	bareScript  = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	bareComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	bareDoctype = regexp.MustCompile(`(?i)<!doctype html>`)
	bareTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	bareEntity  = regexp.MustCompile(`&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);`)
	bareRead    = regexp.MustCompile(`(?i)\b(placeholder|title|alt|aria-label|label)\s*=\s*("[^"]*"|'[^']*')`)
	bareLetter  = regexp.MustCompile(`\p{L}`)
)

// bareText finds text in a template that does not come from the catalogue.
// It is a heuristic: with actions, comments, tags and entities taken out,
// no letter may remain, and no attribute a person reads may hold a letter.
func bareText(src string) []string {
	var out []string
	s := bareAction.ReplaceAllString(src, "\x00")
	s = bareDoctype.ReplaceAllString(s, "")
	s = bareComment.ReplaceAllString(s, "")
	s = bareScript.ReplaceAllString(s, "")
	for _, tg := range bareTag.FindAllString(s, -1) {
		for _, m := range bareRead.FindAllStringSubmatch(tg, -1) {
			if bareLetter.MatchString(m[2]) {
				out = append(out, m[1]+"="+m[2])
			}
		}
	}
	s = bareTag.ReplaceAllString(s, "\x00")
	s = bareEntity.ReplaceAllString(s, "")
	for _, piece := range strings.Split(s, "\x00") {
		if bareLetter.MatchString(piece) {
			out = append(out, strings.TrimSpace(piece))
		}
	}
	return out
}

func TestUINoBareText(t *testing.T) {
	for name, src := range templateSources(t) {
		for _, b := range bareText(src) {
			t.Errorf("%s: %q is text outside the catalogue", name, b)
		}
	}
}

// The heuristic sees what it should and nothing else.
func TestUIBareTextHeuristic(t *testing.T) {
	for src, want := range map[string]int{
		`<p>{{t "ui.app"}} Hello</p>`:               1,
		`<input placeholder="Search" name="q">`:     1,
		`<a title='单位' href="/">{{t "ui.app"}}</a>`: 1,
		`<p>单位</p>`: 1,
		`<p class="x">{{.Name}} · {{num .N}}&nbsp;›</p>`:        0,
		`<input placeholder="{{t "ui.search.placeholder"}}">`:   0,
		`{{/* a comment with words */}}<br><!-- and here -->`:   0,
		`<meta name="htmx-config" content='{"a":false}'>`:       0,
		`<a href="/units/{{.Code}}?offset={{.Next}}">{{.}}</a>`: 0,
	} {
		if got := bareText(src); len(got) != want {
			t.Errorf("%s: found %q, want %d finding(s)", src, got, want)
		}
	}
}
