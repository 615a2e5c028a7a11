-- Argo CD health check for robustml.io/RobustModel (resource.customizations.health.robustml.io_RobustModel).
-- Uses only Lua's base functions (no string, table or math), so it runs without useOpenLibs.
-- Healthy: a revision that passed its analysis serves. Progressing: the operator has not observed the
-- latest spec yet, or a canary is starting or under analysis. Degraded: the spec names a rejected
-- revision (rolled back), the first revision failed, or the pods cannot run (integrity, GPUs).
-- Suspended: a human stopped the rollout (robustml.io/abort) or a failed canary waits for a decision.
local hs = {}
if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the RobustModel"
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end
local ready = nil
local progressing = nil
local degraded = nil
if obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then ready = c end
    if c.type == "Progressing" then progressing = c end
    if c.type == "Degraded" then degraded = c end
  end
end
if degraded ~= nil and degraded.status == "True" then
  if degraded.reason == "Aborted" or (progressing ~= nil and progressing.reason == "AwaitingDecision") then
    hs.status = "Suspended"
  else
    hs.status = "Degraded"
  end
  hs.message = degraded.reason .. ": " .. (degraded.message or "")
  return hs
end
if obj.status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = "the first revision failed its analysis; nothing serves"
  return hs
end
if progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = progressing.message or progressing.reason
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "serving"
  return hs
end
hs.status = "Progressing"
if ready ~= nil then
  hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
else
  hs.message = "Waiting for the serving pods"
end
return hs
