-- The id of a namespace URI (association names carry their namespace id separately).
SELECT n.id FROM alf_namespace n WHERE n.uri = $1
