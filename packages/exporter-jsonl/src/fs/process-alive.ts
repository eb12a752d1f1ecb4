/**
 * Whether a process with this pid exists on this machine (EPERM: it exists but belongs to
 * someone else). Used to tell a live writer's segment or session from a dead one's.
 */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
