-- What the example scripts share: usage errors without a traceback, and "--name value",
-- "--name=value" and "--flag" options among positional arguments. Loaded with dofile from the
-- scripts' own folder; not an example itself.
local cli = {}

-- error() with an object whose __tostring is the text: baton prints "error: TEXT" without a
-- traceback, and the exit status is 1.
function cli.fail(msg) error(setmetatable({}, {__tostring = function() return msg end})) end

-- Positionals and --options; spec[name] is true for an option with a value, false for a flag;
-- usage(why) reports a bad one.
function cli.parse(args, spec, usage)
	local pos, opt, i = {}, {}, 1
	while i <= #args do
		local a = args[i]
		local name, val = a:match("^%-%-([%w-]+)=(.*)$")
		name = name or a:match("^%-%-([%w-]+)$")
		if name then
			if spec[name] == nil then usage("unknown option --" .. name) end
			if spec[name] then
				if not val then i = i + 1; val = args[i] end
				if not val then usage("--" .. name .. " needs a value") end
				opt[name] = val
			elseif val then
				usage("--" .. name .. " takes no value")
			else
				opt[name] = true
			end
		elseif a:match("^%-.") then
			usage("unknown option " .. a)
		else
			pos[#pos + 1] = a
		end
		i = i + 1
	end
	return pos, opt
end

-- The lan CIDR for a trace: the option's ("none": no lan), else 192.168.0.0/16 for the bundled
-- bidir.pcap, whose clients are there (pcaps/README.md), else none.
function cli.lan(trace, given, usage)
	local lan = given or (trace:match("^pcaps/bidir%.pcap$") or trace:match("/pcaps/bidir%.pcap$"))
		and "192.168.0.0/16" or nil
	if lan == "none" then return nil end
	if lan then
		local a, b, c, d, len = lan:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
		local okc = a and tonumber(len) <= 32
		for _, x in ipairs{a, b, c, d} do okc = okc and tonumber(x) <= 255 end
		if not okc then usage("--lan must be an IPv4 CIDR such as 192.168.0.0/16, or none") end
	end
	return lan
end

-- A whole number option in 1..max (default when not given).
function cli.count(name, given, default, max, usage)
	local n = tonumber(given or default)
	if not n or n ~= math.floor(n) or n < 1 or n > max then
		usage(name .. " must be a whole number in 1.." .. max)
	end
	return math.tointeger(n)
end

-- A field set as 'rss fieldsets' names it, "SET" (every port) or "lan=SET wan=SET", as
-- baton.rss.solve's fields option.
function cli.fields(name)
	if not name:find("=") then return name end
	local t = {}
	for port, set in name:gmatch("(%S+)=(%S+)") do t[port] = set end
	return t
end

-- baton.rss.fieldsets' recommendation: solve's fields option and its ethtool letters
-- ("sdfn", "lan=sdfn,wan=d"); nil and "default" when there is none.
function cli.recommended(fs)
	if not fs then return nil, "default" end
	local letters = "default"
	for _, c in ipairs(fs.candidates) do
		if c.recommended then letters = c.letters:gsub(" ", ",") end
	end
	return cli.fields(fs.recommended), letters
end

return cli
