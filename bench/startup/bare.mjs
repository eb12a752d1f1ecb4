// G11 baseline: a bare ES-module script (Node's own start-up and exit, nothing imported).
