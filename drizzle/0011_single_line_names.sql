-- Names land in mail subjects and headers, whose templates refuse control characters; input now
-- refuses them too. Rows stored before that would still make every later mail fail, so replace
-- each run of control characters with one space.
UPDATE "users" SET "name" = nullif(btrim(regexp_replace("name", '[[:cntrl:]]+', ' ', 'g')), '') WHERE "name" ~ '[[:cntrl:]]';
--> statement-breakpoint
UPDATE "workspaces" SET "name" = coalesce(nullif(btrim(regexp_replace("name", '[[:cntrl:]]+', ' ', 'g')), ''), "slug") WHERE "name" ~ '[[:cntrl:]]';
