-- The HTTP layer alone (GET /healthz), the peer the mix is compared with.
package.path = os.getenv("KIT_BENCH_DIR") .. "/?.lua;" .. package.path
local c = require("common")
done = c.done("healthz")
