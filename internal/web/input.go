package web

import (
	"fmt"
	textrule "lighten/internal/text"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
)

// controlError names the field holding a character text may not hold.
func controlError(field string, pos int) *Error {
	return invalid(field, "error.control_char", field, pos)
}

// checkValues refuses a form or query value (or name) holding a control
// character, naming the first such field in sorted order.
func checkValues(vs url.Values) error {
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p := textrule.ControlAt(k); p > 0 {
			return controlError(textrule.Printable(k), p)
		}
		for _, v := range vs[k] {
			if p := textrule.ControlAt(v); p > 0 {
				return controlError(k, p)
			}
		}
	}
	return nil
}

// checkInput checks the query of every request before its handler runs.
// Bodies are checked where they are read: JSON by decode, field by field;
// forms by parseForm, parseDemandForm and checkForm once parsed (a file's
// content is its reader's to check).
func checkInput(r *http.Request) error {
	return checkValues(r.URL.Query())
}

// checkForm checks the text fields of a parsed multipart form.
func checkForm(r *http.Request) error {
	if r.MultipartForm == nil {
		return checkValues(r.PostForm)
	}
	return checkValues(url.Values(r.MultipartForm.Value))
}

// checkJSON walks a decoded body and refuses the first string holding a
// control character, naming it by its JSON path ("grants[1].unit").
func checkJSON(v any) error {
	return walkStrings(reflect.ValueOf(v), "")
}

func walkStrings(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path)
	case reflect.String:
		if p := textrule.ControlAt(v.String()); p > 0 {
			return controlError(fieldPath(path), p)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, ok := f.Tag.Lookup("json"); ok {
				n, _, _ := strings.Cut(tag, ",")
				if n == "-" {
					continue
				}
				if n != "" {
					name = n
				}
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				if err := walkStrings(v.Field(i), path); err != nil {
					return err
				}
				continue
			}
			if err := walkStrings(v.Field(i), joinPath(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes are not text
		}
		for i := 0; i < v.Len(); i++ {
			if err := walkStrings(v.Index(i), path+"["+itoa64(int64(i))+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		type entry struct {
			name string
			val  reflect.Value
		}
		var es []entry
		for it := v.MapRange(); it.Next(); {
			es = append(es, entry{fmt.Sprint(it.Key().Interface()), it.Value()})
		}
		sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
		for _, e := range es {
			if p := textrule.ControlAt(e.name); p > 0 {
				return controlError(fieldPath(joinPath(path, textrule.Printable(e.name))), p)
			}
			if err := walkStrings(e.val, joinPath(path, e.name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldPath(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
