-- Bylines showed the sign-in e-mail of the account an author profile was
-- made for: a profile's e-mail is public, so one equal to a sign-in e-mail
-- is cleared (the author sets a public one in the newsroom).
UPDATE authors SET email = ''
WHERE email <> '' AND lower(email) IN (SELECT lower(email) FROM users);
