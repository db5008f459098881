package visits

import (
	"lighten/internal/i18n"
)

// ValidationError says what is wrong with a plan, a draw or a field record:
// the field it concerns, as a path ("items[2].tiers[0].rate"), and a
// message from the catalogue (keys visits.error.*) whose arguments name
// the item, line or unit and what was expected.
type ValidationError struct {
	Field string
	Key   string
	Args  []any
}

func (e *ValidationError) Error() string {
	msg := e.Message().EN
	if e.Field == "" {
		return msg
	}
	return e.Field + ": " + msg
}

// Message is the error in both languages.
func (e *ValidationError) Message() i18n.Text { return i18n.Both(e.Key, e.Args...) }

func invalid(field, key string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Key: key, Args: args}
}
