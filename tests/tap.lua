-- TAP lines for the Lua tests (tests/lua/*.lua): check(name, cond, detail) prints "ok - NAME"
-- or "not ok - NAME" with the detail as "#" lines; finish() says how it went and sets the exit
-- status. Loaded with dofile from the tests' folder; not a test itself.
local tap = {failed = 0}

function tap.check(name, cond, detail)
	if cond then
		print("ok - " .. name)
	else
		tap.failed = tap.failed + 1
		print("not ok - " .. name)
		if detail then print("#   " .. tostring(detail):gsub("\n", "\n#   ")) end
	end
end

function tap.finish()
	print(tap.failed == 0 and "# all passed" or ("# " .. tap.failed .. " failed"))
	os.exit(tap.failed == 0 and 0 or 1)
end

return tap
