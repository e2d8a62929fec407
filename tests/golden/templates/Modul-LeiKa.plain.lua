-- Modul:LeiKa -- show LeiKa keys the moment an editor writes them: known, unknown or malformed.
--
-- "Nur gültige LeiKa-Schlüssel können übertragen werden" and "Mehrere Schlüssel pro Seite
-- zulässig": a key is *known* when the page "LeiKa <key>" exists. Known keys are linked (and, in
-- the SMW variant, stored); unknown and malformed ones are marked in red and put the page into a
-- maintenance category. Nothing that is not a known key is ever stored.
--
-- Each existence check is an expensive parser function call (MediaWiki allows 500 per page by
-- default). We check at most MAX_CHECKS keys per list; further keys are shown unchecked and the page
-- goes into a maintenance category, so a huge list can never break the page.

local ozg = require('Modul:OZG')

local p = {}

local MAX_CHECKS = 100
local UNKNOWN = 'Seiten mit unbekannten LeiKa-Schlüsseln'
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

-- One list chunk (already split on commas, semicolons, <br>, "und") may still hold several keys
-- separated by blanks ("99012001001000 99008001012009") or one key written with blanks
-- ("99 012 001 001 000"). Blank-separated parts are joined until they make 14 digits; if that does
-- not come out even, every long part stands on its own, else the chunk is one (malformed) entry.
local function splitChunk(chunk)
	local parts = {}
	for part in mw.ustring.gmatch(chunk, '%S+') do
		table.insert(parts, part)
	end
	local keys, buffer = {}, ''
	for _, part in ipairs(parts) do
		buffer = buffer .. compact(part)
		if #buffer == 14 then
			table.insert(keys, { raw = buffer, key = buffer })
			buffer = ''
		elseif #buffer > 14 then
			keys = nil
			break
		end
	end
	if keys and buffer == '' then
		return keys
	end
	local long = false
	for _, part in ipairs(parts) do
		if #compact(part) >= 12 then
			long = true
		end
	end
	if long and #parts > 1 then
		local each = {}
		for _, part in ipairs(parts) do
			table.insert(each, { raw = part, key = compact(part) })
		end
		return each
	end
	return { { raw = chunk, key = compact(chunk) } }
end

-- All entries of a list text, in order, each {raw = what the editor wrote, key = normalised}.
function p.entries(text)
	local result = {}
	for _, chunk in ipairs(ozg.split(ozg.clean(text), true)) do
		for _, entry in ipairs(splitChunk(chunk)) do
			table.insert(result, entry)
		end
	end
	return result
end

-- Whether "LeiKa <key>" exists; nil when the check could not be made (limit reached).
local function exists(key)
	local ok, result = pcall(function()
		return mw.title.new('LeiKa ' .. key, 0).exists
	end)
	if ok then
		return result
	end
	return nil
end

-- Render a list of keys; store the known ones under `property` (SMW variant only).
function p.render(frame, texts, property)
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
				else
					local found = nil
					if checks < MAX_CHECKS then
						checks = checks + 1
						found = exists(key)
					end
					if found == true then
						table.insert(out, '[[LeiKa ' .. key .. '|' .. key .. ']]')
						table.insert(known, key)
					elseif found == false then
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
	for _, name in ipairs({ UNKNOWN, MALFORMED, UNCHECKED }) do
		if categories[name] then
			cats = cats .. ozg.category(name)
		end
	end
	return table.concat(out, ', ') .. cats .. ozg.store(frame, property, known)
end

-- {{#invoke:LeiKa|liste|KEYS|attribut=LeiKa-Schlüssel}}: one template parameter holding a list.
function p.liste(frame)
	return p.render(frame, { frame.args[1] or '' }, frame.args.attribut)
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
