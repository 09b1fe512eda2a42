# Weekly on Windows (Task Scheduler): ingest the newest exports, export them for Power BI,
# then the weekly report. The counterpart of examples/cron.md; see docs/windows.md.
# Exit code: 0 all done, 3 rows were rejected at ingest (the rest was still done), anything
# else: read the log (C:\datastroom\logs\weekly.log).
$ErrorActionPreference = "Stop"
$env:DATASTROOM_WAREHOUSE = "D:\datastroom\warehouse"
# The key file is readable by the account that runs the task only (docs/windows.md).
$env:DATASTROOM_KEY = (Get-Content "C:\datastroom\sleutel.txt" -Raw).Trim()
Set-Location "C:\datastroom"
$exe = "C:\datastroom\datastroom.exe"

& $exe ingest --plan inlezen.toml --wait 300
$ingest = $LASTEXITCODE
if ($ingest -ne 0 -and $ingest -ne 3) {
    Write-Error "ingest failed ($ingest); no export or report this week" -ErrorAction Continue
    exit $ingest
}
& $exe export --to "\\fileserver\bi\datastroom"
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& $exe report week.toml --out-dir "\\fileserver\rapporten"
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
exit $ingest
