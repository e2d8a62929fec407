-- Modul:LeiKa -- show LeiKa keys the moment an editor writes them: known, retired, unknown or malformed.
--
-- "Nur gültige LeiKa-Schlüssel können übertragen werden" and "Mehrere Schlüssel pro Seite
-- zulässig": a key is *known* when the page "LeiKa <key>" exists and is not retired (the importer
-- keeps the page of a key that left the catalogue and sets "Status = ausgemustert" on it). Known
-- keys are linked (and, in the SMW variant, stored); retired, unknown and malformed ones are marked
-- in red and put the page into a maintenance category. Nothing that is not a known key is stored.
-- "LeiKa <key>" is normally a redirect to the LeiKa-Leistung's page, which is titled by its
-- Bezeichnung; the redirect is followed once (Modul:OZG's resolve) and the Status read there.
--
-- The check reads the LeiKa page (title:getContent(), and the redirect's target). That also records
-- both as template dependencies, so a page using a key is re-rendered when the key's page changes
-- (e.g. is retired) or the redirect is re-pointed. No expensive function is called.
-- We check at most MAX_CHECKS keys per list; further keys are shown unchecked and the page goes
-- into a maintenance category, so a huge list can never make a page slow or break it.
--
-- Splitting a list into key candidates follows ozgwiki/extract.py (the validation bot's view of a
-- page); tests/golden/templates/key_splitting.json holds the cases both must pass. Turning a
-- candidate into a key and judging its format is the rule of ozgwiki/leika.py (normalize and
-- format_problem), character class for character class; tests/golden/templates/key_rules.json
-- holds the cases both must pass, and tests/unit/test_key_rules_shared.py also compares both on
-- random input.

local ozg = require('Modul:OZG')

local p = {}

local MAX_CHECKS = 100
local MAX_JOINED_DIGITS = 14
local UNKNOWN = 'Seiten mit unbekannten LeiKa-Schlüsseln'
local RETIRED = 'Seiten mit ausgemusterten LeiKa-Schlüsseln'
local MALFORMED = 'Seiten mit ungültigen LeiKa-Schlüsseln'
local UNCHECKED = 'Seiten mit ungeprüften LeiKa-Schlüsseln'

-- ---------------------------------------------------------------------------------------------
-- Characters. Lua 5.1 knows bytes, not Unicode: these helpers cut UTF-8 text into characters
-- (strings of 1 to 4 bytes), so positions and lengths are counted in characters, as in Python, and
-- the character classes are explicit lists, the same as ozgwiki/leika.py's.

local function utf8char(cp)
	if cp < 0x80 then
		return string.char(cp)
	elseif cp < 0x800 then
		return string.char(0xC0 + math.floor(cp / 0x40), 0x80 + cp % 0x40)
	elseif cp < 0x10000 then
		return string.char(0xE0 + math.floor(cp / 0x1000), 0x80 + math.floor(cp / 0x40) % 0x40,
			0x80 + cp % 0x40)
	end
	return string.char(0xF0 + math.floor(cp / 0x40000), 0x80 + math.floor(cp / 0x1000) % 0x40,
		0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

local function codepoint(c)
	local cp = c:byte(1)
	if #c > 1 then
		local lead = { 0x20, 0x10, 0x08 }
		cp = cp % (lead[#c - 1] or 0x08)
		for i = 2, #c do
			cp = cp * 0x40 + c:byte(i) % 0x40
		end
	end
	return cp
end

-- The characters of a string, as an array.
local function chars(s)
	local t = {}
	for c in s:gmatch('[%z\1-\127\192-\255][\128-\191]*') do
		t[#t + 1] = c
	end
	return t
end

-- A set of characters from strings, code points and {first, last} code point ranges.
local function charSet(...)
	local set = {}
	for _, spec in ipairs({ ... }) do
		if type(spec) == 'string' then
			for _, c in ipairs(chars(spec)) do
				set[c] = true
			end
		elseif type(spec) == 'number' then
			set[utf8char(spec)] = true
		else
			for cp = spec[1], spec[2] do
				set[utf8char(cp)] = true
			end
		end
	end
	return set
end

local function union(...)
	local set = {}
	for _, s in ipairs({ ... }) do
		for c in pairs(s) do
			set[c] = true
		end
	end
	return set
end

-- White space as Python's str.isspace knows it.
local WHITESPACE = charSet('\t\n\v\f\r\28\29\30\31 ', 0x85, 0xA0, 0x1680, { 0x2000, 0x200A }, 0x2028, 0x2029,
	0x202F, 0x205F, 0x3000)
-- Spaces removed between digits: plain ones and the protected and narrow ones (no-break, thin, ...).
local PLAIN_SPACES = charSet(' \t')
local SPECIAL_SPACES = charSet(0xA0, 0x1680, { 0x2000, 0x200A }, 0x202F, 0x205F, 0x3000)
local SPACES = union(PLAIN_SPACES, SPECIAL_SPACES)
local DOTS = charSet('.', 0xB7, 0x2024, 0x2027, 0x30FB, 0xFF0E)
-- Hyphen-minus, every dash of Unicode's category Pd, and the minus sign.
local DASHES = charSet('-', 0x58A, 0x5BE, 0x1400, 0x1806, { 0x2010, 0x2015 }, 0x2E17, 0x2E1A, 0x2E3A, 0x2E3B,
	0x2E40, 0x2E5D, 0x301C, 0x3030, 0x30A0, 0xFE31, 0xFE32, 0xFE58, 0xFE63, 0xFF0D, 0x10EAD, 0x2212)
-- Invisible format characters, dropped anywhere: soft hyphen, Arabic letter mark, Mongolian vowel
-- separator, zero-width space and joiners, bidi marks, embeddings, overrides and isolates, word
-- joiner and invisible operators, BOM, tag characters.
local FORMAT = charSet(0xAD, 0x61C, 0x180E, { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 },
	{ 0x2066, 0x206F }, 0xFEFF, 0xE0001, { 0xE0020, 0xE007F })
-- Quotes and brackets around a key, and sentence punctuation at its edges.
local OPENERS = charSet('"\'„“”‚‘’«»‹›([{<（［「『')
local CLOSERS = charSet('"\'„“”‚‘’«»‹›)]}>）］」』')
local EDGE_PUNCT = charSet('.,;:!?')
-- Letters (for messages and the ends of prefix words): Latin letters.
local LETTER_RANGES = { { 0x41, 0x5A }, { 0x61, 0x7A }, { 0xC0, 0xD6 }, { 0xD8, 0xF6 }, { 0xF8, 0x24F },
	{ 0x1E00, 0x1EFF } }
-- The zeros of the decimal digit blocks of other scripts (each block is zero..nine): every digit
-- Python's str.isdecimal accepts beyond 0-9. They are reported, never converted.
local FOREIGN_DIGIT_ZEROS = {
	0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
	0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
	0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
	0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
	0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
	0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0,
}
local FULLWIDTH_ZERO = 0xFF10

local function isAsciiDigit(c)
	return #c == 1 and c >= '0' and c <= '9'
end

local function foreignDigitZero(c)
	if #c == 1 then
		return nil
	end
	local cp = codepoint(c)
	for _, zero in ipairs(FOREIGN_DIGIT_ZEROS) do
		if cp >= zero and cp <= zero + 9 then
			return zero
		end
	end
	return nil
end

-- A decimal digit of any script.
local function isDigit(c)
	return isAsciiDigit(c) or foreignDigitZero(c) ~= nil
end

local function isLetter(c)
	local cp = codepoint(c)
	for _, range in ipairs(LETTER_RANGES) do
		if cp >= range[1] and cp <= range[2] then
			return true
		end
	end
	return false
end

-- A letter or a digit of any script.
local function isWordChar(c)
	return isLetter(c) or isDigit(c)
end

local function slice(t, first, last)
	local out = {}
	for i = first, last do
		out[#out + 1] = t[i]
	end
	return out
end

local function strip(t, set)
	local first, last = 1, #t
	while first <= last and set[t[first]] do
		first = first + 1
	end
	while last >= first and set[t[last]] do
		last = last - 1
	end
	return slice(t, first, last)
end

local function skip(t, i, set)
	while i <= #t and set[t[i]] do
		i = i + 1
	end
	return i
end

-- ---------------------------------------------------------------------------------------------
-- Normalising a candidate (ozgwiki.leika.normalize): the steps are repeated until nothing changes.
--  * invisible format characters go everywhere, white space at the edges;
--  * quotes and brackets around the key;
--  * a prefix such as "LeiKa:", "Leika-Schlüssel:", "LeiKa-ID", "Leistungsschlüssel";
--  * runs of spaces (also no-break and thin ones), dots and dashes between two digits 0-9;
--  * sentence punctuation and spaces at the edges, when a digit is then at an edge.
-- Digits of other scripts are left alone: formatProblem names them.

local LOWER = { ['Ä'] = 'ä', ['Ö'] = 'ö', ['Ü'] = 'ü' }

local function lower(c)
	if #c == 1 then
		return c:lower()
	end
	return LOWER[c] or c
end

-- The position after `word` (an array of lower-case characters) when t has it at i, else nil.
local function wordAt(t, i, word)
	if #t - i + 1 < #word then
		return nil
	end
	for k = 1, #word do
		if lower(t[i + k - 1]) ~= word[k] then
			return nil
		end
	end
	return i + #word
end

local function wordEnd(t, i)
	return i > #t or not isLetter(t[i])
end

local W = {}
for _, word in ipairs({ 'lei', 'ka', 'leistungs', 'nicht', 'im', 'in', 'der', 'schlüssel', 'schluessel',
	'id', 'nr.', 'nr', 'nummer', 'key', 'code', 'leistungsschlüssel', 'leistungsschluessel' }) do
	W[word] = chars(word)
end
local PREFIX_SUFFIXES = { W['schlüssel'], W['schluessel'], W['id'], W['nr.'], W['nr'], W['nummer'], W['key'],
	W['code'] }
local PREFIX_WORDS = { W['leistungsschlüssel'], W['leistungsschluessel'], W['schlüssel'], W['schluessel'] }
local PREFIX_LINK = union(charSet('-_'), WHITESPACE)
local PREFIX_SEPARATORS = charSet(':=#-', { 0x2010, 0x2015 })

-- After "lei ka" / "leika" at i (one white space allowed between the halves).
local function leikaEnd(t, i)
	local lei = wordAt(t, i, W['lei'])
	if lei == nil then
		return nil
	end
	if lei <= #t and WHITESPACE[t[lei]] then
		local spaced = wordAt(t, lei + 1, W['ka'])
		if spaced then
			return spaced
		end
	end
	return wordAt(t, lei, W['ka'])
end

-- Where the key starts after a prefix at the start of t, or nil (ozgwiki.leika._prefix_end).
local function prefixEnd(t)
	local finish = nil
	local leika = leikaEnd(t, 1)
	if leika then
		local at = skip(t, leika, PREFIX_LINK)
		for _, lead in ipairs({ W['leistungs'], false }) do
			local start = at
			if lead then
				start = wordAt(t, at, lead)
			end
			if start then
				for _, suffix in ipairs(PREFIX_SUFFIXES) do
					local found = wordAt(t, start, suffix)
					if found and wordEnd(t, found) then
						finish = found
						break
					end
				end
			end
			if finish then
				break
			end
		end
		if not finish and wordEnd(t, leika) then
			finish = leika
		end
	end
	if not finish then
		for _, word in ipairs(PREFIX_WORDS) do
			local found = wordAt(t, 1, word)
			if found and wordEnd(t, found) then
				finish = found
				break
			end
		end
	end
	if not finish then
		return nil
	end
	finish = skip(t, finish, WHITESPACE)
	if finish <= #t and PREFIX_SEPARATORS[t[finish]] then
		finish = finish + 1
	end
	return skip(t, finish, WHITESPACE)
end

-- KDN's "nicht im LeiKa" (also "nicht in (der) LeiKa", any case) at the start of t.
local function isPlaceholder(t)
	local at = wordAt(t, 1, W['nicht'])
	if at == nil or skip(t, at, WHITESPACE) == at then
		return false
	end
	at = skip(t, at, WHITESPACE)
	for _, words in ipairs({ { W['im'] }, { W['in'], W['der'] }, { W['in'] } }) do
		local pos = at
		for _, word in ipairs(words) do
			pos = pos and wordAt(t, pos, word)
			if pos == nil or skip(t, pos, WHITESPACE) == pos then
				pos = nil
				break
			end
			pos = skip(t, pos, WHITESPACE)
		end
		if pos then
			local finish = leikaEnd(t, pos)
			if finish and (finish > #t or not (isWordChar(t[finish]) or t[finish] == '_')) then
				return true
			end
		end
	end
	return false
end

local function isSeparator(c)
	return SPACES[c] or DOTS[c] or DASHES[c]
end

local function removeSeparators(t)
	local out, i = {}, 1
	local afterDigit = false
	while i <= #t do
		local c = t[i]
		if afterDigit and isSeparator(c) then
			local j = i
			while j <= #t and isSeparator(t[j]) do
				j = j + 1
			end
			if not (j <= #t and isAsciiDigit(t[j])) then
				for k = i, j - 1 do
					out[#out + 1] = t[k]
				end
				afterDigit = false
			end
			i = j
		else
			out[#out + 1] = c
			afterDigit = isAsciiDigit(c)
			i = i + 1
		end
	end
	return out
end

local EDGE = union(EDGE_PUNCT, SPACES)

local function onePass(t)
	local visible = {}
	for _, c in ipairs(t) do
		if not FORMAT[c] then
			visible[#visible + 1] = c
		end
	end
	t = strip(visible, WHITESPACE)
	local first, last = skip(t, 1, OPENERS), #t
	while last >= first and CLOSERS[t[last]] do
		last = last - 1
	end
	t = strip(slice(t, first, last), WHITESPACE)
	local start = prefixEnd(t)
	if start and start <= #t then
		t = strip(slice(t, start, #t), WHITESPACE)
	end
	t = removeSeparators(t)
	local trimmed = strip(t, EDGE)
	if #trimmed < #t and #trimmed > 0 and (isAsciiDigit(trimmed[1]) or isAsciiDigit(trimmed[#trimmed])) then
		t = trimmed
	end
	return t
end

-- The key of a candidate: what ozgwiki.leika.normalize makes of it.
function p.normalise(raw)
	local t = chars(raw)
	for _ = 1, #t + 2 do
		local new = onePass(t)
		if table.concat(new) == table.concat(t) then
			break
		end
		t = new
	end
	return table.concat(t)
end

-- ---------------------------------------------------------------------------------------------
-- Judging the format (ozgwiki.leika.format_problem): why a normalised key is malformed, in the
-- words shown after "ungültiger LeiKa-Schlüssel: ", or nil when it is well-formed. 99 keys follow
-- the nationwide structure (DOMAIN.md section 3): group and object never 000, a detail needs a
-- Verrichtung. Regional keys (14 digits without 99) are well-formed.

local KDN_TEST_KEYS = { ['25323525'] = true, ['3233'] = true }

local function isExponent(key)
	return key:match('^[0-9]+[eE]%+?[0-9]+$') ~= nil or key:match('^[0-9]+[.,][0-9]+[eE]%+?[0-9]+$') ~= nil
end

function p.formatProblem(key)
	local t = chars(key)
	if #t == 0 then
		return 'das Feld ist leer'
	end
	if isPlaceholder(t) then
		return 'Platzhalter der KDN-Datenbank'
	end
	if KDN_TEST_KEYS[key] then
		return 'Testeintrag aus der KDN-Datenbank'
	end
	if isExponent(key) then
		return 'Zahl in Exponentialschreibweise'
	end
	for pos, c in ipairs(t) do
		if not isAsciiDigit(c) then
			local zero = foreignDigitZero(c)
			if zero == FULLWIDTH_ZERO then
				return 'enthält an Stelle ' .. pos .. ' die vollbreite Ziffer „' .. c
					.. '“; erlaubt sind nur die Ziffern 0–9'
			elseif zero then
				return 'enthält an Stelle ' .. pos .. ' die Ziffer „' .. c
					.. '“ aus einer anderen Schrift; erlaubt sind nur die Ziffern 0–9'
			end
			return 'enthält ' .. (isLetter(c) and 'den Buchstaben' or 'das Zeichen') .. ' „' .. c
				.. '“ an Stelle ' .. pos
		end
	end
	local number = tonumber(key)
	if #t == 5 and number >= 10000 and number <= 10999 then
		return 'eine OZG-ID (eine OZG-Leistung)'
	end
	if #t ~= 14 then
		return #t .. ' statt 14 Ziffern'
	end
	if key:sub(1, 2) == '99' then
		if key:sub(3, 5) == '000' then
			return 'die Leistungsgruppierung (Stellen 3–5) ist 000'
		elseif key:sub(6, 8) == '000' then
			return 'die Leistungskennung (Stellen 6–8) ist 000'
		elseif key:sub(9, 11) == '000' and key:sub(12, 14) ~= '000' then
			return 'Verrichtungsdetail ' .. key:sub(12, 14)
				.. ' (Stellen 12–14) ohne Verrichtung (Stellen 9–11 sind 000)'
		end
	end
	return nil
end

-- ---------------------------------------------------------------------------------------------
-- Splitting, as ozgwiki/extract.py does it:
--  * boundaries: tags (<br> in every spelling, <code>, ...) and links (only their shown text
--    counts); external links, bare URLs, struck-out text and <nowiki>/<ref> contents are dropped;
--  * hard separators: , ; / and line breaks; the words und, sowie, oder, bzw., & and + (any case);
--  * inside one list item, words are split on white space (any kind, see WHITESPACE). A digit word
--    (digits of any script with dots, dashes and format characters, maybe in quotes or brackets) is
--    joined with the next digit word when exactly one white space character separates them and the
--    digits stay at most 14: "99 012 001 001 000" is one key, "99012001001000 99008001012009" two;
--  * a word with digits and other characters ("9901200A001000") is a candidate of its own; plain
--    words beside a key ("LeiKa:", "(Erteilung)") are commentary and skipped; an item without any
--    digit ("nicht im LeiKa") is one candidate if it has a letter or digit, so placeholders are
--    shown as malformed.

local CONJUNCTIONS = {
	['und'] = true, ['sowie'] = true, ['oder'] = true, ['bzw'] = true, ['bzw.'] = true,
	['&'] = true, ['+'] = true,
}
-- Quotes and brackets around a digit word, and punctuation after it (extract.py's _CLOSERS).
local WORD_CLOSERS = union(CLOSERS, EDGE_PUNCT)
-- What may stand between the digits of a digit word.
local DIGIT_EXTRA = union(DOTS, DASHES, FORMAT)
local FILE_OR_CATEGORY = { 'datei', 'file', 'bild', 'image', 'medium', 'media', 'kategorie', 'category' }

-- "digit", "mixed" or "text", and the number of digits of a word (an array of characters).
local function wordKind(word)
	local first, last = skip(word, 1, OPENERS), #word
	while last >= first and WORD_CLOSERS[word[last]] do
		last = last - 1
	end
	local digits, onlyDigits = 0, true
	for i = first, last do
		if isDigit(word[i]) then
			digits = digits + 1
		elseif not DIGIT_EXTRA[word[i]] then
			onlyDigits = false
		end
	end
	if digits == 0 then
		return 'text', 0
	end
	return onlyDigits and 'digit' or 'mixed', digits
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
	return text
end

-- The list items of a text: {chars = the piece's characters, words = {{s, e, gap, kind, digits}, ...}}
-- with s and e the first and last character of a word and gap the number of white space characters
-- before it.
local function items(text)
	local result = {}
	for piece in (text .. '\n'):gmatch('([^,;/\n\r]*)[,;/\n\r]') do
		local t = chars(piece)
		local words, gap, i = {}, 0, 1
		local function flush()
			if #words > 0 then
				table.insert(result, { chars = t, words = words })
			end
			words, gap = {}, 0
		end
		while i <= #t do
			if WHITESPACE[t[i]] then
				gap = gap + 1
				i = i + 1
			else
				local j = i
				while j <= #t and not WHITESPACE[t[j]] do
					j = j + 1
				end
				local word = slice(t, i, j - 1)
				if CONJUNCTIONS[table.concat(word):lower()] then
					flush()
				else
					local kind, digits = wordKind(word)
					table.insert(words, { s = i, e = j - 1, gap = gap, kind = kind, digits = digits })
					gap = 0
				end
				i = j
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
		table.insert(out, table.concat(item.chars, '', s, e))
	end
	local allText = true
	for _, w in ipairs(words) do
		if w.kind ~= 'text' then
			allText = false
		end
	end
	if allText then
		for i = words[1].s, words[#words].e do
			if isWordChar(item.chars[i]) then
				add(words[1].s, words[#words].e) -- "-", "?" ... alone is an empty item, no candidate
				break
			end
		end
		return out
	end
	local s, e, digits = nil, nil, 0
	for _, w in ipairs(words) do
		if w.kind == 'digit' then
			if s and w.gap == 1 and digits + w.digits <= MAX_JOINED_DIGITS then
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

-- All candidates of a list text, in order, each {raw = what the editor wrote, key = normalised}.
function p.entries(text)
	local result = {}
	for _, item in ipairs(items(boundaries(ozg.clean(text)))) do
		for _, raw in ipairs(spans(item)) do
			table.insert(result, { raw = raw, key = p.normalise(raw) })
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

-- 'known', 'retired' or 'unknown' for "LeiKa <key>", and the title of the key's page; nil when the
-- check could not be made. "LeiKa <key>" is normally a redirect to the LeiKa-Leistung's page
-- (titled by its Bezeichnung): ozg.resolve follows it, so the Status is read where it is kept, and
-- that page, too, becomes a dependency (retiring the key re-renders the pages that use it).
local function lookup(key)
	local ok, result, page = pcall(function()
		local title = mw.title.new('LeiKa ' .. key, 0)
		if title == nil then
			return 'unknown'
		end
		local target, content = ozg.resolve(title)
		if content == nil then
			return 'unknown'
		end
		return p.retired(content) and 'retired' or 'known', target.prefixedText
	end)
	if ok then
		return result, page
	end
	return nil
end

-- A key linked to its page: the page a lookup found (the redirect's target, so readers land on the
-- LeiKa-Leistung without a "weitergeleitet von" hop; the lookup read it anyway), else "LeiKa <key>".
local function link(key, page)
	return '[[' .. (page or ('LeiKa ' .. key)) .. '|' .. key .. ']]'
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
					-- the reason quotes a character of the key: shown literally, like the key
					local reason = 'ungültiger LeiKa-Schlüssel: ' .. mw.text.nowiki(problem)
					table.insert(out, ozg.warning(entry.raw, reason))
					categories[MALFORMED] = true
				elseif own then
					if own.status == 'ausgemustert' then
						table.insert(out, link(key) .. ' <small>(ausgemustert)</small>')
					else
						table.insert(out, link(key))
						table.insert(known, key)
					end
				else
					local found, page = nil, nil
					if checks < MAX_CHECKS then
						checks = checks + 1
						found, page = lookup(key)
					end
					if found == 'known' then
						table.insert(out, link(key, page))
						table.insert(known, key)
					elseif found == 'retired' then
						table.insert(out, ozg.warningMarkup(link(key, page), 'ausgemusterter LeiKa-Schlüssel'))
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
