-- Modul:LeiKa -- show LeiKa keys the moment an editor writes them: known, retired, unknown or malformed.
--
-- "Nur gültige LeiKa-Schlüssel können übertragen werden" and "Mehrere Schlüssel pro Seite
-- zulässig": a key is *known* when the page "LeiKa <key>" exists and is not retired (the importer
-- keeps the page of a key that left the catalogue and sets "Status = ausgemustert" on it). Known
-- keys are linked (and, in the SMW variant, stored); retired, unknown and malformed ones are marked
-- in red and put the page into a maintenance category. Nothing that is not a known key is stored.
--
-- The check reads the LeiKa page (title:getContent()). That also records the page as a template
-- dependency, so a page using a key is re-rendered when the key's page changes (e.g. is retired).
-- We check at most MAX_CHECKS keys per list; further keys are shown unchecked and the page goes
-- into a maintenance category, so a huge list can never make a page slow or break it.
--
-- Splitting a list into key candidates follows ozgwiki/extract.py (the validation bot's view of a
-- page); tests/golden/templates/key_splitting.json holds the cases both must pass.

local ozg = require('Modul:OZG')

local p = {}

local MAX_CHECKS = 100
local MAX_JOINED_DIGITS = 14
local UNKNOWN = 'Seiten mit unbekannten LeiKa-Schlüsseln'
local RETIRED = 'Seiten mit ausgemusterten LeiKa-Schlüsseln'
local MALFORMED = 'Seiten mit ungültigen LeiKa-Schlüsseln'
local UNCHECKED = 'Seiten mit ungeprüften LeiKa-Schlüsseln'

-- Remove the harmless formatting editors add inside a key: spaces, dots, dashes, link brackets.
local function compact(text)
	return (mw.ustring.gsub(text, '[%s%.%-%[%]\194\160]', ''))
end

-- Why a 14-character string is not a valid key, or nil when the format is fine. 99 keys follow the
-- nationwide structure (DOMAIN.md section 3): group and object never 000, a detail needs a Verrichtung.
function p.formatProblem(key)
	if not mw.ustring.match(key, '^%d+$') then
		return 'ungültiger LeiKa-Schlüssel: nur Ziffern erlaubt'
	end
	if #key ~= 14 then
		return 'ungültiger LeiKa-Schlüssel: ' .. #key .. ' statt 14 Ziffern'
	end
	if key:sub(1, 2) == '99' then
		if key:sub(3, 5) == '000' or key:sub(6, 8) == '000' then
			return 'ungültiger LeiKa-Schlüssel: Gruppierung oder Leistungskennung 000'
		end
		if key:sub(9, 11) == '000' and key:sub(12, 14) ~= '000' then
			return 'ungültiger LeiKa-Schlüssel: Detail ohne Verrichtung'
		end
	end
	return nil
end

-- ---------------------------------------------------------------------------------------------
-- Splitting, as ozgwiki/extract.py does it:
--  * boundaries: tags (<br> in every spelling, <code>, ...) and links (only their shown text
--    counts); external links, bare URLs, struck-out text and <nowiki>/<ref> contents are dropped;
--  * hard separators: , ; / and line breaks; the words und, sowie, oder, bzw., & and + (any case);
--  * inside one list item, words are split on white space. A digit word (digits with dots and
--    dashes, maybe in quotes or brackets) is joined with the next digit word when exactly one space
--    separates them and the digits stay at most 14: "99 012 001 001 000" is one key,
--    "99012001001000 99008001012009" are two;
--  * a word with digits and other characters ("9901200A001000") is a candidate of its own; plain
--    words beside a key ("LeiKa:", "(Erteilung)") are commentary and skipped; an item without any
--    digit ("nicht im LeiKa") is one candidate, so placeholders are shown as malformed.
-- Byte-level on purpose (plain string functions): separators are ASCII or listed as UTF-8.

local CONJUNCTIONS = {
	['und'] = true, ['sowie'] = true, ['oder'] = true, ['bzw'] = true, ['bzw.'] = true,
	['&'] = true, ['+'] = true,
}
-- Quotes and brackets around a digit word (extract.py's _OPENERS / _CLOSERS).
local OPENERS = { '"', "'", '„', '“', '”', '‚', '‘', '’', '«', '»', '‹', '›', '(', '[', '{', '<',
	'（', '［', '「', '『' }
local CLOSERS = { '"', "'", '„', '“', '”', '‚', '‘', '’', '«', '»', '‹', '›', ')', ']', '}', '>',
	'）', '］', '」', '』', '.', ',', ';', ':', '!', '?' }
-- What may stand between the digits of a digit word: dots, middle dot, dashes, and invisible
-- format characters (soft hyphen, zero-width space and joiners, word joiner, BOM).
local DIGIT_EXTRA = { '.', '-', '·', '‐', '‑', '‒', '–', '—', '―', '−', '﹣', '－', '．',
	'\194\173', '\226\128\139', '\226\128\140', '\226\128\141', '\226\129\160', '\239\187\191' }
-- White space beyond ASCII (no-break, the U+2000 block, narrow no-break, medium math, ideographic):
-- each becomes one ASCII space, so "exactly one space" means the same as in Python.
local SPACES = { '\194\160', '\226\128\128', '\226\128\129', '\226\128\130', '\226\128\131',
	'\226\128\132', '\226\128\133', '\226\128\134', '\226\128\135', '\226\128\136', '\226\128\137',
	'\226\128\138', '\226\128\175', '\226\129\159', '\227\128\128' }
local FILE_OR_CATEGORY = { 'datei', 'file', 'bild', 'image', 'medium', 'media', 'kategorie', 'category' }

-- Length of the entry of `list` that `s` has at position i, or 0.
local function prefixAt(s, i, list)
	for _, seq in ipairs(list) do
		if s:sub(i, i + #seq - 1) == seq then
			return #seq
		end
	end
	return 0
end

local function suffixOf(s, list)
	for _, seq in ipairs(list) do
		if #s >= #seq and s:sub(-#seq) == seq then
			return #seq
		end
	end
	return 0
end

-- "digit", "mixed" or "text", and the number of digits of a word.
local function wordKind(word)
	local _, digits = word:gsub('%d', '')
	if digits == 0 then
		return 'text', 0
	end
	local core = word
	local n = prefixAt(core, 1, OPENERS)
	while n > 0 do
		core = core:sub(n + 1)
		n = prefixAt(core, 1, OPENERS)
	end
	n = suffixOf(core, CLOSERS)
	while n > 0 do
		core = core:sub(1, #core - n)
		n = suffixOf(core, CLOSERS)
	end
	local i = 1
	while i <= #core do
		if core:sub(i, i):match('%d') then
			i = i + 1
		else
			local m = prefixAt(core, i, DIGIT_EXTRA)
			if m == 0 then
				return 'mixed', digits
			end
			i = i + m
		end
	end
	return 'digit', digits
end

-- A case-insensitive Lua pattern for an ASCII word.
local function anyCase(word)
	return (word:gsub('%a', function(c)
		return '[' .. c:lower() .. c:upper() .. ']'
	end))
end

-- The text with every boundary turned into a line break (a hard separator).
local function boundaries(text)
	text = text:gsub('\127\'"`UNIQ%-.-%-QINU`"\'\127', '\n') -- <nowiki>, <ref>, <pre> ...
	for _, tag in ipairs({ 's', 'del', 'strike' }) do
		local name = anyCase(tag)
		text = text:gsub('<%s*' .. name .. '%s*>.-<%s*/%s*' .. name .. '%s*>', '\n')
	end
	text = text:gsub('%[%[([^%]|]*)|?([^%]]*)%]%]', function(target, label)
		local lower = target:lower()
		for _, ns in ipairs(FILE_OR_CATEGORY) do
			if lower:match('^%s*:?%s*' .. ns .. '%s*:') then
				return '\n'
			end
		end
		return '\n' .. (label ~= '' and label or target) .. '\n'
	end)
	text = text:gsub('%[https?://[^%]]*%]', '\n')
	text = text:gsub('https?://[^%s%[%]<>"]*', '\n')
	text = text:gsub('<%s*/?%s*%a[^<>]*>', '\n') -- any tag: <br>, <br />, </br>, <code>, <small> ...
	for _, space in ipairs(SPACES) do
		text = text:gsub(space, ' ')
	end
	return text
end

-- The list items of a text: {text = the piece, words = {{s, e, gap, kind, digits}, ...}}.
local function items(text)
	local result = {}
	for piece in (text .. '\n'):gmatch('([^,;/\n\r]*)[,;/\n\r]') do
		local words, gap, i = {}, '', 1
		local function flush()
			if #words > 0 then
				table.insert(result, { text = piece, words = words })
			end
			words, gap = {}, ''
		end
		while i <= #piece do
			local ws = piece:match('^%s+', i)
			if ws then
				gap = gap .. ws
				i = i + #ws
			else
				local word = piece:match('^%S+', i)
				if CONJUNCTIONS[word:lower()] then
					flush()
				else
					local kind, digits = wordKind(word)
					table.insert(words, { s = i, e = i + #word - 1, gap = gap, kind = kind, digits = digits })
					gap = ''
				end
				i = i + #word
			end
		end
		flush()
	end
	return result
end

-- The candidates of one list item (extract.py's _spans).
local function spans(item)
	local out, words = {}, item.words
	local function add(s, e)
		table.insert(out, item.text:sub(s, e))
	end
	local allText = true
	for _, w in ipairs(words) do
		if w.kind ~= 'text' then
			allText = false
		end
	end
	if allText then
		if item.text:sub(words[1].s, words[#words].e):find('[%w\128-\255]') then
			add(words[1].s, words[#words].e) -- "-", "?" ... alone is an empty item, no candidate
		end
		return out
	end
	local s, e, digits = nil, nil, 0
	for _, w in ipairs(words) do
		if w.kind == 'digit' then
			if s and #w.gap == 1 and digits + w.digits <= MAX_JOINED_DIGITS then
				e, digits = w.e, digits + w.digits
			else
				if s then
					add(s, e)
				end
				s, e, digits = w.s, w.e, w.digits
			end
		else
			if s then
				add(s, e)
				s = nil
			end
			if w.kind == 'mixed' then
				add(w.s, w.e)
			end
		end
	end
	if s then
		add(s, e)
	end
	return out
end

-- The key of a candidate: a digit candidate is its digits; anything else is compacted and then
-- judged by formatProblem ("nur Ziffern erlaubt").
local function keyOf(raw)
	local joined = raw:gsub('%s', '')
	if wordKind(joined) == 'digit' then
		return (raw:gsub('%D', ''))
	end
	return compact(raw)
end

-- All candidates of a list text, in order, each {raw = what the editor wrote, key = normalised}.
function p.entries(text)
	local result = {}
	for _, item in ipairs(items(boundaries(ozg.clean(text)))) do
		for _, raw in ipairs(spans(item)) do
			table.insert(result, { raw = raw, key = keyOf(raw) })
		end
	end
	return result
end

-- ---------------------------------------------------------------------------------------------
-- Checking

-- Whether the text of a "LeiKa <key>" page marks the key as retired: its (last) Status parameter
-- is "ausgemustert", spacing and comments aside -- the same test as Vorlage:LeiKa-Leistung's #ifeq.
function p.retired(content)
	content = content:gsub('<!%-%-.-%-%->', '')
	local status = nil
	for value in content:gmatch('|%s*Status%s*=%s*([^|}]*)') do
		status = value
	end
	return status ~= nil and mw.text.trim(status) == 'ausgemustert'
end

-- 'known', 'retired' or 'unknown' for "LeiKa <key>"; nil when the check could not be made.
local function lookup(key)
	local ok, result = pcall(function()
		local title = mw.title.new('LeiKa ' .. key, 0)
		local content = title and title:getContent()
		if content == nil then
			return 'unknown'
		end
		return p.retired(content) and 'retired' or 'known'
	end)
	if ok then
		return result
	end
	return nil
end

local function link(key)
	return '[[LeiKa ' .. key .. '|' .. key .. ']]'
end

-- Render a list of keys; store the known ones under `property` (SMW variant only).
-- own = {status = ...}: the list is the page's own key on "LeiKa <key>" (Vorlage:LeiKa-Leistung);
-- it is not looked up (the template passes its own Status), a retired one is shown as such but is
-- no maintenance case (the page is in "Ausgemusterte LeiKa-Leistung" already).
function p.render(frame, texts, property, own)
	local out, known, seen, categories = {}, {}, {}, {}
	local checks = 0
	for _, text in ipairs(texts) do
		for _, entry in ipairs(p.entries(text)) do
			local key = entry.key
			if not seen[key] then
				seen[key] = true
				local problem = p.formatProblem(key)
				if problem then
					table.insert(out, ozg.warning(entry.raw, problem))
					categories[MALFORMED] = true
				elseif own then
					if own.status == 'ausgemustert' then
						table.insert(out, link(key) .. ' <small>(ausgemustert)</small>')
					else
						table.insert(out, link(key))
						table.insert(known, key)
					end
				else
					local found = nil
					if checks < MAX_CHECKS then
						checks = checks + 1
						found = lookup(key)
					end
					if found == 'known' then
						table.insert(out, link(key))
						table.insert(known, key)
					elseif found == 'retired' then
						table.insert(out, ozg.warningMarkup(link(key), 'ausgemusterter LeiKa-Schlüssel'))
						categories[RETIRED] = true
					elseif found == 'unknown' then
						table.insert(out, ozg.warning(key, 'unbekannter LeiKa-Schlüssel'))
						categories[UNKNOWN] = true
					else
						table.insert(out, key .. ' <small>(nicht geprüft)</small>')
						categories[UNCHECKED] = true
					end
				end
			end
		end
	end
	local cats = ''
	for _, name in ipairs({ UNKNOWN, RETIRED, MALFORMED, UNCHECKED }) do
		if categories[name] then
			cats = cats .. ozg.category(name)
		end
	end
	return table.concat(out, ', ') .. cats .. ozg.store(frame, property, known)
end

-- {{#invoke:LeiKa|liste|KEYS|attribut=LeiKa-Schlüssel}}: one template parameter holding a list.
-- {{#invoke:LeiKa|liste|KEY|eigen=ja|status=...|attribut=...}}: the own key of a LeiKa page.
function p.liste(frame)
	local own = nil
	if frame.args.eigen == 'ja' then
		own = { status = ozg.clean(frame.args.status) }
	end
	return p.render(frame, { frame.args[1] or '' }, frame.args.attribut, own)
end

-- {{#invoke:LeiKa|inline|attribut=LeiKa-Schlüssel}} inside Vorlage:LeiKa: the keys are the
-- positional parameters of {{LeiKa|key1|key2|...}}.
function p.inline(frame)
	local texts = {}
	for _, value in ipairs(frame:getParent().args) do
		table.insert(texts, value)
	end
	return p.render(frame, texts, frame.args.attribut)
end

return p
