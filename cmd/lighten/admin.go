package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"lighten/internal/audit"
	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/units"
)

// roleFlags collects repeated --role ROLE@CODE flags.
type roleFlags []units.Grant

func (r *roleFlags) String() string { return fmt.Sprint(*r) }

func (r *roleFlags) Set(v string) error {
	role, where, _ := strings.Cut(v, "@")
	ro, err := units.ParseRole(role)
	if err != nil {
		return err
	}
	if where == "country" || where == "cn" {
		where = ""
	}
	if where != "" {
		if _, ok := units.LevelOfCode(where); !ok {
			return fmt.Errorf("%q is not a statistical code (2, 4, 6, 9 or 12 digits), nor \"country\"", where)
		}
	}
	*r = append(*r, units.Grant{Role: ro, UnitCode: where})
	return nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(`usage: lighten user add --login L --name N --unit CODE --role ROLE@CODE [--password-stdin]`)
	}
	fs := newFlags("user add", stderr)
	dsn := dbFlag(fs, "lighten.db")
	login := fs.String("login", "", "login name (2 to 64 letters, digits, . - _ @)")
	name := fs.String("name", "", "the person's name")
	unit := fs.String("unit", "", "statistical code of the unit the person belongs to")
	office := fs.Int64("office", 0, "id of the office the person works in (optional)")
	phone := fs.String("phone", "", "phone number (optional)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input; otherwise one is generated and printed")
	var roles roleFlags
	fs.Var(&roles, "role", "a role and where it is held, e.g. admin@country, burden@430922 (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !units.ValidLogin(*login) {
		return fmt.Errorf("--login %q: 2 to 64 letters, digits, '.', '-', '_' or '@' expected", *login)
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("--name is required")
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = auth.NewToken("")[:16]
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	if _, ok := t.Get(*unit); !ok {
		return fmt.Errorf("--unit %q: no such unit (import the tree first: lighten import units)", *unit)
	}
	for _, g := range roles {
		if _, ok := t.Get(g.UnitCode); g.UnitCode != "" && !ok {
			return fmt.Errorf("--role %s@%s: no such unit", g.Role, g.UnitCode)
		}
	}
	if *office != 0 {
		o, err := db.Office(ctx, *office)
		if err != nil {
			return fmt.Errorf("--office %d: %w", *office, err)
		}
		if o.UnitCode != *unit {
			return fmt.Errorf("--office %d belongs to unit %s, not %s", *office, o.UnitCode, *unit)
		}
	}
	var p units.Person
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		p, err = tx.CreatePerson(ctx, store.NewPerson{Login: *login, Name: strings.TrimSpace(*name), UnitCode: *unit,
			OfficeID: *office, Phone: *phone, PasswordHash: hash, Grants: roles})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added person %d %s (%s) at %s with %d role(s)\n", p.ID, p.Login, p.Name, p.UnitCode, len(p.Grants))
	if !*pwStdin {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: lighten audit verify [--db URL]")
	}
	fs := newFlags("audit verify", stderr)
	dsn := dbFlag(fs, "lighten.db")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn, store.Options{NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.VerifyAudit(ctx)
	var br *audit.Break
	if errors.As(err, &br) {
		fmt.Fprintf(stdout, "audit chain BROKEN at record %d: %s (%d records before it are intact)\n", br.Seq, br.Reason, n)
		return fmt.Errorf("audit chain broken at record %d", br.Seq)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit chain intact: %d records\n", n)
	return nil
}

var _ = flag.ErrHelp
