package web

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"lighten/internal/i18n"
)

// jsonError says what is wrong with a request body that does not decode,
// in both languages: where the syntax breaks, which field has the wrong
// type or is unknown, or that the body is empty or cut short.
func jsonError(err error) *Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errorf(CodeInvalid, "error.json.syntax", se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(CodeInvalid, "error.json.truncated")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return invalid(field, "error.json.type", field, jsonKind(te.Type), jsonGiven(te.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return invalid(name, "error.json.unknown_field", name)
	}
	return errorf(CodeInvalid, "error.bad_json", err.Error())
}

// jsonKind names the JSON a Go type is read from.
func jsonKind(t reflect.Type) i18n.Text {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := "value"
	switch t.Kind() {
	case reflect.String:
		k = "string"
	case reflect.Bool:
		k = "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		k = "integer"
	case reflect.Float32, reflect.Float64:
		k = "number"
	case reflect.Slice, reflect.Array:
		k = "array"
	case reflect.Map, reflect.Struct:
		k = "object"
	}
	return i18n.Both("error.json.kind." + k)
}

// jsonGiven names the JSON that was sent instead ("number", "string", or
// "number 1.5" for a number that does not fit).
func jsonGiven(v string) any {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "string", "number", "bool", "array", "object":
		return i18n.Both("error.json.kind." + kind)
	}
	return v
}
