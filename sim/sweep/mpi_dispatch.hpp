// Runs handed out across MPI ranks (`mpirun -np N migsim sweep ...`): rank 0 gives one run at a
// time to whichever rank asks; each rank writes its runs' parts into the shared parts folder.
// Built only with MIGSIM_MPI; without it every call says one process.
#pragma once

#include <functional>

namespace migsim::sweep {

// Whether this process was started by mpirun with more than one rank (and MPI is built in).
bool launched_by_mpi();

class MpiSession {
 public:
  MpiSession();   // MPI_Init_thread (funneled: only the main thread calls MPI)
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Rank 0's value of `value` on every rank.
  int broadcast(int value) const;
  // Rank 0: answers the other ranks' requests with next() until it returns -1 and every rank has
  // stopped; done(run, ok) is called as each remote run finishes. Other ranks: asks for runs and
  // calls run(index) -> ok for each until told to stop.
  void serve(const std::function<int()>& next, const std::function<void(int, bool)>& done) const;
  void work(const std::function<bool(int)>& run) const;

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace migsim::sweep
