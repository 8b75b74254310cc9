package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"masthead/internal/auth"
	"masthead/internal/news"
)

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: masthead user add --email E --name N --role admin|editor|reporter|contributor [--password-stdin]")
	}
	var c common
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	c.register(fs)
	email := fs.String("email", "", "the account's e-mail `address` (its sign-in name)")
	name := fs.String("name", "", "the person's `name`")
	role := fs.String("role", "reporter", "`role`: admin, editor, reporter or contributor")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else one is generated and printed)")
	fs.Usage = usageFor(fs, "masthead user add --email E --name N --role R [--password-stdin]")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	r := news.Role(*role)
	switch {
	case !strings.Contains(*email, "@"):
		return fmt.Errorf("user add: --email %q is not an e-mail address", *email)
	case strings.TrimSpace(*name) == "":
		return errors.New("user add: --name is required")
	case !r.Valid():
		return fmt.Errorf("user add: --role %q: use admin, editor, reporter or contributor", *role)
	}
	var password string
	generated := false
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = auth.RandomPassword()
		generated = true
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := auth.CreateUser(ctx, st, auth.NewUser{Email: strings.TrimSpace(*email), Name: *name, Role: r, Password: password})
	if err != nil {
		if news.ErrorCode(err) == news.EINTERNAL {
			return fmt.Errorf("user add: %w", err)
		}
		return fmt.Errorf("user add: %s", news.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "added %s <%s> as %s (id %d)\n", u.Name, u.Email, u.Role, u.ID)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}
