-- Tenants installed through get_permanent_code v2 (which answers only corpid and corp_name) had their full name only in
-- authCorpInfo, from get_auth_info: copy it to the column the admin API and tenant search read. Data only.
UPDATE "AuthCorp"
SET "corpFullName" = "authCorpInfo"->>'corp_full_name'
WHERE "corpFullName" IS NULL
  AND jsonb_typeof("authCorpInfo") = 'object'
  AND "authCorpInfo"->>'corp_full_name' <> '';
