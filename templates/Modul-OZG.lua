-- Modul:OZG -- shared helpers for the ozgwiki templates.
--
-- Every template field goes through this module (or Modul:LeiKa) for two reasons:
--  * values may contain | { } [ ] = (entity-escaped by the bot, or typed as {{!}} by editors);
--    Lua shows them literally (nowiki) and hands them to #set as one argument, so nothing splits;
--  * storing with Semantic MediaWiki happens in exactly one place (p.store), switched by SMW below.
--
-- The deploy bot keeps one of the two SMW lines (ozgwiki/variant.py, marker lines in Lua comments).
-- The undeployed source declares both; the later one (false) wins, so raw source never stores.
--<!--SMW-->
local SMW = true
--<!--/SMW-->
--<!--OHNE-SMW-->
local SMW = false
--<!--/OHNE-SMW-->

local p = {}

local MONTHS = {
	'Januar', 'Februar', 'März', 'April', 'Mai', 'Juni',
	'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember',
}

p.smw = SMW

-- Categories only in the main namespace, so template documentation pages stay out of them.
function p.category(name)
	if mw.title.getCurrentTitle().namespace ~= 0 then
		return ''
	end
	return '[[Kategorie:' .. name .. ']]'
end

-- A visible warning around ready markup (e.g. a link): red text, no dependence on site CSS.
function p.warningMarkup(markup, reason)
	return '<span class="ozg-warnung" style="color:#b32424;font-weight:bold">⚠ '
		.. markup .. ' (' .. reason .. ')</span>'
end

-- A visible warning about a value, shown literally.
function p.warning(value, reason)
	return p.warningMarkup(mw.text.nowiki(value), reason)
end

-- Undo the bot's entity escaping (&#124; ...) and trim; the result is the real value.
function p.clean(value)
	return mw.text.trim(mw.text.decode(value or ''))
end

-- Store values with SMW's #set (only in the SMW variant). A list is stored as one multi-valued
-- property with +sep, so duplicates collapse and no subobjects are needed.
-- Returns '' or a maintenance category when #set is missing although SMW was expected.
-- The separator ';' is safe: every list is split on ';' before it gets here, and keys are digits.
function p.store(frame, property, values)
	if not SMW or property == nil or property == '' or #values == 0 then
		return ''
	end
	local ok = pcall(function()
		if #values == 1 then
			return frame:callParserFunction('#set', { property .. '=' .. values[1] })
		end
		return frame:callParserFunction('#set', { property .. '=' .. table.concat(values, ';'), '+sep=;' })
	end)
	if not ok then
		return p.category('Seiten mit Fehlern beim Speichern semantischer Daten')
	end
	return ''
end

-- The non-empty, trimmed items an iterator yields.
function p.trimmed(iterator)
	local items = {}
	for part in iterator do
		part = mw.text.trim(part)
		if part ~= '' then
			table.insert(items, part)
		end
	end
	return items
end

-- Split a list: commas, semicolons, <br>, line breaks; optionally also the word "und".
function p.split(text, withUnd)
	text = mw.ustring.gsub(text, '<%s*[bB][rR]%s*/?%s*>', ',')
	text = mw.ustring.gsub(text, '[;\n]', ',')
	if withUnd then
		text = mw.ustring.gsub(text, '%s+[uU][nN][dD]%s+', ',')
	end
	return p.trimmed(mw.ustring.gmatch(text, '[^,]+'))
end

-- {{#invoke:OZG|wert|VALUE|attribut=PROPERTY}}: show a scalar literally and store it.
function p.wert(frame)
	local value = p.clean(frame.args[1])
	if value == '' then
		return ''
	end
	return mw.text.nowiki(value) .. p.store(frame, frame.args.attribut, { value })
end

-- The page to link and read for `title`, and its text (nil when there is no such page).
-- The ID titles ("Kommune 05554000", "LeiKa <key>", "Themenfeld Bildung") are redirects to the
-- pages readers look up ("Kreis Borken", ...): a redirect is followed once, so links go straight
-- to the target (no "weitergeleitet von" hop) and its data is read there. Once, because MediaWiki
-- follows no double redirects either. A broken redirect (target without a page) stands for itself,
-- and so does one out of the main namespace (a link to it would categorise or embed).
-- Neither getContent nor redirectTarget is an expensive function (isRedirect and exists are): each
-- reads the current revision and records the page as a template dependency, so the calling page is
-- re-rendered when the redirect is re-pointed or the target changes.
function p.resolve(title)
	local content = title:getContent()
	-- Only text starting with '#' can be a redirect: skip the second read for all other pages.
	if content == nil or not content:match('^%s*#') then
		return title, content
	end
	local target = title.redirectTarget
	local targetContent = target and target.namespace == 0 and target:getContent()
	if not targetContent then
		return title, content
	end
	return target, targetContent
end

-- Label of a page made by one of our templates: its Name parameter, read from the page text.
local function nameIn(content)
	local name = content and mw.ustring.match(content, '|%s*Name%s*=%s*([^|}\n]+)')
	return name and p.clean(name) or nil
end

-- Whether a page text is a page of the kind `prefix` names: it calls the template of that name
-- ("{{Kommune" for praefix=Kommune; MediaWiki ignores the case of the first letter).
local function isKind(content, prefix)
	local first = mw.ustring.sub(prefix, 1, 1)
	local rest = mw.ustring.sub(prefix, 2):gsub('%p', '%%%0')
	local name = '[' .. mw.ustring.upper(first) .. mw.ustring.lower(first) .. ']' .. rest
	return content:match('{{%s*' .. name .. '%s*[|}]') ~= nil
end

-- Entries of one #invoke:OZG|seiten whose pages are read; further entries are linked as
-- "PRAEFIX ENTRY" unread (the ID redirect still leads to the page; a bare name title past the
-- limit becomes a red link). Reading costs no expensive function, but per entry up to six page
-- reads (two titles, each perhaps a redirect) and their template dependencies, so a huge list
-- must not make the page slow. Real lists are short: a Steckbrief names a handful of Kommunen
-- ("alle" never gets here: the template shows it without calling Lua), a project a few OZG-IDs.
local MAX_READ_ENTRIES = 50

-- The page an entry of p.seiten names: its title object (nil when none can be made), its text
-- (nil when unread or missing) and the label to show without namen=ja. With `asTitle`
-- (titel=ja), an entry may be a page title already: the old ID form "PRAEFIX ID" is taken as it
-- is; an entry without the prefix is "PRAEFIX ENTRY" when that page exists (a bare AGS, or a
-- Themenfeld's name: "Themenfeld Bildung" redirects to it), else the entry itself when it is a
-- page of this kind (a name title such as "Ahaus" or "Kreis Borken", as the forms write it now).
local function entryPage(entry, prefix, asTitle, read)
	local label, hadPrefix = entry, false
	if asTitle and prefix ~= '' and mw.ustring.sub(entry, 1, mw.ustring.len(prefix) + 1) == prefix .. ' ' then
		label, hadPrefix = mw.ustring.sub(entry, mw.ustring.len(prefix) + 2), true
	end
	local title = mw.title.new((prefix ~= '' and (prefix .. ' ') or '') .. label, 0)
	if title == nil or not read then
		return title, nil, label
	end
	local page, content = p.resolve(title)
	if content == nil and asTitle and prefix ~= '' and not hadPrefix then
		local named = mw.title.new(entry, 0)
		if named and named.namespace == 0 then
			local namedPage, namedContent = p.resolve(named)
			if namedContent and isKind(namedContent, prefix) then
				return namedPage, namedContent, label
			end
		end
	end
	return page, content, label
end

-- {{#invoke:OZG|seiten|LIST|praefix=Themenfeld|attribut=Themenfeld|einzeln=ja|namen=ja}}:
-- link each entry to the page "PRAEFIX ENTRY" (or the page it redirects to), store those titles.
--   einzeln=ja  the value is one entry (names such as Lagen may contain commas or "und")
--   namen=ja    show the Name of the target page instead of the entry (Kommunen by AGS)
--   titel=ja    an entry may already be the page title: the name title ("Ahaus", as the forms
--               write it) or the old ID form ("Kommune 05554004"); see entryPage
function p.seiten(frame)
	local args = frame.args
	local raw = p.clean(args[1])
	if raw == '' then
		return ''
	end
	local entries = (args.einzeln == 'ja') and { raw } or p.split(raw, false)
	local prefix = p.clean(args.praefix)
	local out, titles, seen, extra = {}, {}, {}, ''
	for i, entry in ipairs(entries) do
		local title, content, label = entryPage(entry, prefix, args.titel == 'ja', i <= MAX_READ_ENTRIES)
		if title == nil then
			table.insert(out, p.warning(label, 'kein gültiger Seitenname'))
			extra = p.category('Seiten mit ungültigen Verweisen')
		elseif not seen[title.prefixedText] then
			seen[title.prefixedText] = true
			if args.namen == 'ja' then
				label = nameIn(content) or label
			end
			table.insert(out, '[[' .. title.prefixedText .. '|' .. mw.text.nowiki(label) .. ']]')
			table.insert(titles, title.prefixedText)
		end
	end
	return table.concat(out, ', ') .. extra .. p.store(frame, args.attribut, titles)
end

-- Parse YYYY-MM or YYYY-MM-DD; returns year, month, day (day may be nil) or nil.
function p.parseDate(value)
	local y, m, d = mw.ustring.match(value, '^(%d%d%d%d)%-(%d%d)%-(%d%d)$')
	if not y then
		y, m = mw.ustring.match(value, '^(%d%d%d%d)%-(%d%d)$')
	end
	if not y then
		return nil
	end
	m = tonumber(m)
	d = d and tonumber(d) or nil
	if m < 1 or m > 12 or (d and (d < 1 or d > 31)) then
		return nil
	end
	return tonumber(y), m, d
end

-- {{#invoke:OZG|datum|2020-01|attribut=Beginn Umsetzung}} -> "Januar 2020" (stored as a date).
function p.datum(frame)
	local value = p.clean(frame.args[1])
	if value == '' then
		return ''
	end
	local y, m, d = p.parseDate(value)
	if not y then
		return p.warning(value, 'Datum bitte als JJJJ-MM oder JJJJ-MM-TT angeben')
			.. p.category('Seiten mit ungültigen Datumsangaben')
	end
	local shown = MONTHS[m] .. ' ' .. y
	if d then
		shown = d .. '. ' .. shown
	end
	return shown .. p.store(frame, frame.args.attribut, { value })
end

-- A vocabulary value as text, or as a link to "PRAEFIX value" when a prefix is given.
local function showValue(value, prefix)
	if prefix == nil or prefix == '' then
		return mw.text.nowiki(value)
	end
	return '[[' .. prefix .. ' ' .. value .. '|' .. mw.text.nowiki(value) .. ']]'
end

-- {{#invoke:OZG|werte|LIST|erlaubt=a;b|attribut=...|praefix=...|einzeln=ja}}: values from a fixed
-- vocabulary (several, or exactly one with einzeln=ja); anything else is shown with a warning and
-- not stored.
function p.werte(frame)
	local raw = p.clean(frame.args[1])
	if raw == '' then
		return ''
	end
	local allowed = {}
	for a in mw.ustring.gmatch(frame.args.erlaubt or '', '[^;]+') do
		allowed[mw.text.trim(a)] = true
	end
	local values = (frame.args.einzeln == 'ja') and { raw } or p.split(raw, false)
	local out, good, seen, extra = {}, {}, {}, ''
	for _, v in ipairs(values) do
		if allowed[v] then
			if not seen[v] then
				seen[v] = true
				table.insert(out, showValue(v, frame.args.praefix))
				table.insert(good, v)
			end
		else
			table.insert(out, p.warning(v, 'unbekannter Wert'))
			extra = p.category('Seiten mit unbekannten Auswahlwerten')
		end
	end
	return table.concat(out, ', ') .. extra .. p.store(frame, frame.args.attribut, good)
end

-- {{#invoke:OZG|rang|VALUE1|VALUE2|...|erlaubt=a;b|datum=ja|sonst=TEXT|attribut=PROPERTY}}: store
-- nothing visible, only a sort key every page has. Overview tables sort by it, and SMW leaves out
-- rows that lack a sort value: a project without the phase a table sorts by, an OZG-Leistung
-- without Priorität would vanish. The key is the first allowed value (erlaubt), or with datum=ja the
-- earliest valid date of all values; else `sonst` (a word that sorts after digits).
function p.rang(frame)
	local args = frame.args
	local best = nil
	local allowed = nil
	if args.erlaubt and args.erlaubt ~= '' then
		allowed = {}
		for a in mw.ustring.gmatch(args.erlaubt, '[^;]+') do
			allowed[mw.text.trim(a)] = true
		end
	end
	for _, raw in ipairs(args) do
		local value = p.clean(raw)
		if value ~= '' then
			if args.datum == 'ja' then
				if p.parseDate(value) and (best == nil or value < best) then
					best = value
				end
			elseif best == nil and (allowed == nil or allowed[value]) then
				best = value
			end
		end
	end
	return p.store(frame, args.attribut, { best or p.clean(args.sonst) })
end

-- {{#invoke:OZG|url|https://...|attribut=URL}}: an external link, or a warning for anything else.
function p.url(frame)
	local value = p.clean(frame.args[1])
	if value == '' then
		return ''
	end
	if not mw.ustring.match(value, '^https?://[^%s%[%]<>"|{}]+$') then
		return p.warning(value, 'keine gültige Adresse (http:// oder https://)')
			.. p.category('Seiten mit ungültigen Adressen')
	end
	return '[' .. value .. ' ' .. mw.text.nowiki(value) .. ']' .. p.store(frame, frame.args.attribut, { value })
end

-- ---------------------------------------------------------------------------------------------
-- Overview tables answered by Semantic MediaWiki (ask queries with format=plainlist and the row
-- templates Vorlage:Übersichtskopf, Vorlage:Übersichtszeile, Vorlage:Übersichtsende).
--
-- The bot renders the same tables statically; these functions make the live ones look the same:
-- names as link labels, counts as numbers, vocabulary labels in full, ", " between values.
-- SMW pastes values into the row template's call unescaped, so only titles, ISO dates and
-- vocabulary values travel that way; every free text (names, IDs) is read from the row's page
-- here and shown literally.
--
-- #userparam describes the columns, ';'-separated, each "Header=kind" or "Header=kind:arg":
--   titel:PARAM   the row's page, linked, labelled with its PARAM (e.g. Name)
--   seiten:PARAM  page values, each linked and labelled with the target's PARAM
--   feld:PARAM    the row page's PARAM, shown literally (free text such as the OZG-ID)
--   wahl:a/b/c    vocabulary values, shown literally, in the vocabulary's order
--   abbild:a=A/b=B  vocabulary values shown as their labels (Priorität 1 -> "1 - höchste ..."), in
--                 that order
--   anzahl        the number of values (the pages pointing to the row)
--   datum         dates as SMW shows them ("Januar 2020"), sortable by their #ISO printout "sNi"
-- Field 1 of the row template is the row's page; the printout labelled "sN" holds column N's
-- values, separated by VALUESEP ('#' cannot occur in a title, and the bot checks vocabularies for
-- it). Columns read from the page (titel, feld) have no printout.

local VALUESEP = '#'

-- What a link to a page shows when its Name is unknown: the title without the bots' prefix.
-- Keep in step with ozgwiki.facts.Facts.label (a unit test compares the two lists).
local LABEL_PREFIXES = {
	'Themenfeld ', 'Lage ', 'Kommune ', 'OZG-Leistung ', 'Umsetzungsprojekt ', 'Steckbrief ',
	'Größenklasse ',
}

local function withoutPrefix(title)
	for _, prefix in ipairs(LABEL_PREFIXES) do
		if mw.ustring.sub(title, 1, mw.ustring.len(prefix)) == prefix then
			return mw.ustring.sub(title, mw.ustring.len(prefix) + 1)
		end
	end
	return title
end

-- The page `title` (a title text) stands for, and its text: SMW hands over the pages themselves
-- (it stores a Page value pointing at a redirect as the redirect's target), but a redirect is
-- followed anyway (p.resolve), so a row never shows a redirect's empty data.
local function pageOf(title)
	local t = mw.title.new(title)
	if not t then
		return title, nil
	end
	local page, content = p.resolve(t)
	return page.prefixedText, content
end

-- The value of template parameter `param` in a page text (the first one), decoded; or nil.
local function paramIn(content, param)
	if not content then
		return nil
	end
	content = content:gsub('<!%-%-.-%-%->', '')
	local pattern = '|%s*' .. param:gsub('%p', '%%%0') .. '%s*=%s*([^|}\n]*)'
	local value = mw.ustring.match(content, pattern)
	value = value and p.clean(value) or ''
	return value ~= '' and value or nil
end

local function paramOf(title, param)
	local _, content = pageOf(title)
	return paramIn(content, param)
end

local function labelled(title, param)
	local page, content = pageOf(title)
	local label = paramIn(content, param) or withoutPrefix(title)
	return '[[' .. page .. '|' .. mw.text.nowiki(label) .. ']]'
end

local function columns(spec)
	local out = {}
	for entry in mw.text.gsplit(spec or '', ';', true) do
		local header, kind = entry:match('^(.-)=(.*)$')
		if header then
			local name, arg = kind:match('^([^:]*):?(.*)$')
			table.insert(out, { header = mw.text.trim(header), kind = name, arg = arg })
		end
	end
	return out
end

local function valuesOf(field)
	return p.trimmed(mw.text.gsplit(field or '', VALUESEP, true))
end

local function mapping(arg)
	local out = {}
	for pair in mw.text.gsplit(arg, '/', true) do
		local k, v = pair:match('^(.-)=(.*)$')
		if k then
			out[k] = v
		end
	end
	return out
end

local function cell(col, page, field, sortField)
	local values = valuesOf(field)
	if col.kind == 'titel' then
		return labelled(page, col.arg)
	elseif col.kind == 'feld' then
		local v = paramOf(page, col.arg)
		return v and mw.text.nowiki(v) or ''
	elseif col.kind == 'anzahl' then
		return tostring(#values)
	end
	if #values == 0 then
		return ''
	end
	local shown = {}
	if col.kind == 'datum' then
		-- SMW's own display keeps the precision (Januar 2020, 12. Dezember 2019); #ISO sorts.
		local iso = valuesOf(sortField)[1] or ''
		for _, v in ipairs(values) do
			table.insert(shown, mw.text.nowiki(v))
		end
		return 'data-sort-value="' .. mw.text.nowiki(iso) .. '" | ' .. table.concat(shown, ', ')
	end
	-- SMW prints several values in no fixed order: pages are sorted by title (as their database
	-- key), vocabulary values by the vocabulary's order, so both renderings agree.
	if col.kind == 'seiten' then
		table.sort(values, function(a, b)
			return (a:gsub(' ', '_')) < (b:gsub(' ', '_'))
		end)
		for _, v in ipairs(values) do
			table.insert(shown, labelled(v, col.arg))
		end
		return table.concat(shown, ', ')
	end
	local labels, rank = {}, {}
	if col.kind == 'abbild' then
		labels = mapping(col.arg)
	end
	for i, item in ipairs(mw.text.split(col.arg or '', '/', true)) do
		rank[item:match('^([^=]*)')] = i
	end
	table.sort(values, function(a, b)
		return (rank[a] or math.huge) < (rank[b] or math.huge)
	end)
	for _, v in ipairs(values) do
		table.insert(shown, mw.text.nowiki(labels[v] or v))
	end
	return table.concat(shown, ', ')
end

-- {{#invoke:OZG|kopf}} in Vorlage:Übersichtskopf: the table's start and header row.
function p.kopf(frame)
	local headers = {}
	for _, col in ipairs(columns(frame:getParent().args['#userparam'])) do
		table.insert(headers, mw.text.nowiki(col.header))
	end
	return '\n{| class="wikitable sortable"\n! ' .. table.concat(headers, ' !! ')
end

-- {{#invoke:OZG|zeile}} in Vorlage:Übersichtszeile: one row.
function p.zeile(frame)
	local args = frame:getParent().args
	local page = mw.text.trim(args[1] or '')
	local out = { '\n|-' }
	for i, col in ipairs(columns(args['#userparam'])) do
		local c = cell(col, page, args['s' .. i], args['s' .. i .. 'i'])
		table.insert(out, c == '' and '\n|' or ('\n| ' .. c))
	end
	return table.concat(out)
end

-- {{#invoke:OZG|ende}} in Vorlage:Übersichtsende: the table's end.
function p.ende(frame)
	return '\n|}'
end

return p
