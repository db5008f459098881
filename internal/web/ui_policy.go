package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"lighten/internal/access"
	"lighten/internal/policy"
	"lighten/internal/store"
)

type paramRow struct {
	ID        string
	Rule      string
	Label     string
	Value     string
	Inherited string
	Default   string
	From      string // where the value in force comes from
	FromCode  string
	Unit      string
	Own       bool
	Tighter   string // which way is tighter, in words
	Input     string // the office's own value, or what was typed
	Err       string
}

type versionRow struct {
	Version int
	Created string
	Author  string
	Note    string
	Params  []string
}

type policyPage struct {
	Code     string // "0" for the country, as in the address
	Name     string
	Params   []paramRow
	Versions []versionRow
	CanEdit  bool
	Note     string
	Error    string
	Done     string
}

// paramValue writes a parameter's value: a time of day as a clock too.
func paramValue(p policy.Param, v int) string {
	if p.Unit == "unit.clock" {
		return fmt.Sprintf("%d (%02d:%02d)", v, v/60, v%60)
	}
	return formatNumber(v)
}

func (s *Server) policyPageOf(ctx context.Context, c *Ctx, code string) (policyPage, error) {
	t, err := c.Tree(ctx)
	if err != nil {
		return policyPage{}, err
	}
	pv, err := s.policyView(ctx, code)
	if err != nil {
		return policyPage{}, err
	}
	v := policyPage{Code: code, Name: place(t, c, code), CanEdit: c.P.Can(access.EditPolicy, code)}
	if code == "" {
		v.Code = "0"
	}
	pt, err := s.db.PolicyTree(ctx)
	if err != nil {
		return v, err
	}
	own, _ := pt.Document(code)
	for _, x := range pv.Params {
		p, _ := policy.Lookup(x.ID)
		row := paramRow{ID: x.ID, Rule: c.T("rule." + x.Rule), Label: x.Label.In(c.Lang), Value: paramValue(*p, x.Value),
			Inherited: paramValue(*p, x.Inherited), Default: paramValue(*p, x.Default), Unit: x.Unit.In(c.Lang), Own: x.Own,
			FromCode: x.From}
		switch {
		case x.From != "":
			row.From = place(t, c, x.From)
		case x.Value != x.Default:
			// The country's own document leaves no code behind.
			row.From, row.FromCode = place(t, c, ""), "0"
		default:
			row.From = c.T("ui.policy.from_default")
		}
		if x.Tighter == "higher" {
			row.Tighter = c.T("ui.policy.tighter_higher")
		} else {
			row.Tighter = c.T("ui.policy.tighter_lower")
		}
		if n, ok := own.Params[x.ID]; ok {
			row.Input = strconv.Itoa(n)
		}
		v.Params = append(v.Params, row)
	}
	authors := map[int64]string{}
	for _, ver := range pv.Versions {
		row := versionRow{Version: ver.Version, Created: chinaTime(ver.Created), Note: ver.Note}
		if _, ok := authors[ver.AuthorID]; !ok && ver.AuthorID != 0 {
			p, err := s.db.Person(ctx, ver.AuthorID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return v, err
			}
			authors[ver.AuthorID] = p.Name
		}
		row.Author = authors[ver.AuthorID]
		ids := make([]string, 0, len(ver.Document.Params))
		for id := range ver.Document.Params {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			row.Params = append(row.Params, c.T("ui.policy.set", c.T("param."+id), ver.Document.Params[id]))
		}
		v.Versions = append(v.Versions, row)
	}
	return v, nil
}

func (s *Server) uiPolicy(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	t, err := c.Tree(r.Context())
	if err != nil {
		return err
	}
	code, err := policyCode(t, r)
	if err != nil {
		return err
	}
	v, err := s.policyPageOf(r.Context(), c, code)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("done") != "" {
		v.Done = c.T("ui.policy.saved")
	}
	return s.page(w, r, c, http.StatusOK, "policy", c.T("ui.policy.title", v.Name), v)
}

func (s *Server) uiSavePolicy(w http.ResponseWriter, r *http.Request, c *Ctx) error {
	ctx := r.Context()
	t, err := c.Tree(ctx)
	if err != nil {
		return err
	}
	code, err := policyCode(t, r)
	if err != nil {
		return err
	}
	if err := c.Require(access.EditPolicy, code); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	// A parameter left empty is inherited; the document lists the rest.
	doc := policy.Document{Params: map[string]int{}, Note: strings.TrimSpace(r.PostFormValue("note"))}
	errs := map[string]string{}
	for _, p := range policy.Params {
		typed := strings.TrimSpace(r.PostFormValue(p.ID))
		if typed == "" {
			continue
		}
		n, err := strconv.Atoi(typed)
		if err != nil {
			errs[p.ID] = c.T("ui.gate.error.number", typed)
			continue
		}
		doc.Params[p.ID] = n
	}
	if len(errs) == 0 {
		err = s.db.Write(ctx, c.Actor(), func(tx *store.Tx) error {
			_, err := tx.SavePolicy(ctx, code, doc, doc.Note)
			return err
		})
		if err == nil {
			to := "/policy/" + code
			if code == "" {
				to = "/policy/0"
			}
			http.Redirect(w, r, to+"?done=saved", http.StatusSeeOther)
			return nil
		}
		if err = policyErrors(c, err, errs); err != nil {
			return err
		}
	}
	v, err := s.policyPageOf(ctx, c, code)
	if err != nil {
		return err
	}
	for i := range v.Params {
		v.Params[i].Input = r.PostFormValue(v.Params[i].ID)
		v.Params[i].Err = errs[v.Params[i].ID]
	}
	v.Note = r.PostFormValue("note")
	v.Error = c.T("ui.policy.not_saved")
	if msg, ok := errs[""]; ok {
		v.Error = msg
	}
	return s.page(w, r, c, http.StatusBadRequest, "policy", c.T("ui.policy.title", v.Name), v)
}

// policyErrors places the store's refusal next to the parameters it
// names: every parameter that would loosen, not only the first. Errors that
// are not the person's to fix are returned.
func policyErrors(c *Ctx, err error, errs map[string]string) error {
	var le *store.LooseningError
	if errors.As(err, &le) {
		for _, l := range le.Loosenings {
			one := &store.LooseningError{Unit: le.Unit, Loosenings: []policy.Loosening{l}}
			errs[l.Param] = one.Message().In(c.Lang)
		}
		return nil
	}
	var e *Error
	if errors.As(gateError(err), &e) && e.Code == CodeInvalid {
		// A parse error without a parameter lands above the form, under "".
		errs[strings.TrimPrefix(e.Field, "params.")] = e.Message.In(c.Lang)
		return nil
	}
	return err
}
