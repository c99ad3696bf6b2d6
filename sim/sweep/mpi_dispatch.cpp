#include "sweep/mpi_dispatch.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef MIGSIM_MPI
#include <mpi.h>

#include <chrono>
#include <thread>
#endif

namespace migsim::sweep {

bool launched_by_mpi() {
#ifdef MIGSIM_MPI
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    const char* value = std::getenv(name);
    if (value && std::atoi(value) > 1) return true;
  }
#endif
  return false;
}

#ifdef MIGSIM_MPI

namespace {
constexpr int kRequestTag = 1;  // worker -> 0: {finished run or -1, ok}
constexpr int kAssignTag = 2;   // 0 -> worker: the next run, or -1 to stop
}  // namespace

MpiSession::MpiSession() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (provided < MPI_THREAD_FUNNELED) throw std::runtime_error("MPI does not provide MPI_THREAD_FUNNELED");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

int MpiSession::broadcast(int value) const {
  MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

void MpiSession::serve(const std::function<int()>& next, const std::function<void(int, bool)>& done) const {
  int active = size_ - 1;
  while (active > 0) {
    // Polled, not a blocking receive: Open MPI's blocking receive spins a core that rank 0's
    // own workers need.
    int arrived = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kRequestTag, MPI_COMM_WORLD, &arrived, &status);
    if (!arrived) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    int message[2];
    MPI_Recv(message, 2, MPI_INT, status.MPI_SOURCE, kRequestTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (message[0] >= 0) done(message[0], message[1] != 0);
    int run = next();
    MPI_Send(&run, 1, MPI_INT, status.MPI_SOURCE, kAssignTag, MPI_COMM_WORLD);
    if (run < 0) --active;
  }
}

void MpiSession::work(const std::function<bool(int)>& run) const {
  int message[2] = {-1, 0};
  for (;;) {
    MPI_Send(message, 2, MPI_INT, 0, kRequestTag, MPI_COMM_WORLD);
    int index = -1;
    MPI_Recv(&index, 1, MPI_INT, 0, kAssignTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index < 0) return;
    message[0] = index;
    message[1] = run(index) ? 1 : 0;
  }
}

#else

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
int MpiSession::broadcast(int value) const { return value; }
void MpiSession::serve(const std::function<int()>&, const std::function<void(int, bool)>&) const {}
void MpiSession::work(const std::function<bool(int)>&) const {}

#endif

}  // namespace migsim::sweep
