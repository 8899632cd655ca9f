// Whether a process still runs: temp files and locks carry their writer's pid, so what a killed
// writer left can be told from what a running one is still writing.
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
