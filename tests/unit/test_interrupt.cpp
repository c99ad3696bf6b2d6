// The interrupt module: SIGINT/SIGTERM remove the registered temporary files and exit 130/143.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "interrupt.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch_folder(const std::string& name) {
  const fs::path folder = fs::temp_directory_path() / ("migsim_interrupt_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

void touch(const fs::path& path) { std::ofstream(path) << "partial output\n"; }

// Forks a child that registers `registered`, registers and releases `released`, then raises `signo`;
// returns the child's wait status.
int interrupted_child(int signo, const fs::path& registered, const fs::path& released) {
  const pid_t child = ::fork();
  if (child == 0) {
    migsim::install_interrupt_handlers();
    migsim::install_interrupt_handlers();  // idempotent
    touch(registered);
    touch(released);
    migsim::TemporaryFileGuard guard(registered.string());
    { migsim::TemporaryFileGuard released_guard(released.string()); }
    ::raise(signo);
    ::_exit(99);  // not reached
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("SIGINT and SIGTERM remove the registered temporary files and exit 128 + signal", "[interrupt]") {
  for (const int signo : {SIGINT, SIGTERM}) {
    const fs::path folder = scratch_folder(std::to_string(signo));
    const fs::path registered = folder / "out.h5.tmp-1", released = folder / "other.h5.tmp-2";
    const int status = interrupted_child(signo, registered, released);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + signo);
    CHECK_FALSE(fs::exists(registered));
    CHECK(fs::exists(released));  // a guard's destructor unregisters without removing
    fs::remove_all(folder);
  }
}
