package store

import "lighten/internal/i18n"

// ConflictError refuses a change because what it would make exists
// already, or was done already. It is ErrConflict (errors.Is), and says
// what in both languages from the catalogue.
type ConflictError struct {
	Field string // the field at fault, if any, as the API names it
	Key   string
	Args  []any
}

// conflict makes a ConflictError from a catalogue key.
func conflict(field, key string, args ...any) *ConflictError {
	return &ConflictError{Field: field, Key: key, Args: args}
}

func (e *ConflictError) Error() string {
	return i18n.T(i18n.EN, e.Key, e.Args...) + ": " + ErrConflict.Error()
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// Message is what a person reads, in both languages.
func (e *ConflictError) Message() i18n.Text { return i18n.Both(e.Key, e.Args...) }

// ForbiddenError refuses what the actor may not do here: another office's
// plan, a sealed visit opened by someone other than its leader or before
// its day. It is ErrForbidden (errors.Is), and says why in both languages.
type ForbiddenError struct {
	Key  string
	Args []any
}

func forbidden(key string, args ...any) *ForbiddenError { return &ForbiddenError{Key: key, Args: args} }

func (e *ForbiddenError) Error() string {
	return i18n.T(i18n.EN, e.Key, e.Args...) + ": " + ErrForbidden.Error()
}

func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// Message is what a person reads, in both languages.
func (e *ForbiddenError) Message() i18n.Text { return i18n.Both(e.Key, e.Args...) }
