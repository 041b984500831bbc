// Cairn's small C++ extension of Debian's librocksdb 7.8 C API (built by scripts/setup.sh against librocksdb-dev).
//
// The C API has no table-properties collectors, no table filter on read options and no ticker reads, so this file
// adds them. It relies on one fact of db/c.cc: each C handle (rocksdb_options_t, rocksdb_readoptions_t) is a struct
// whose FIRST member is the C++ object ("struct rocksdb_options_t { Options rep; }", "struct rocksdb_readoptions_t
// { ReadOptions rep; Slice upper_bound; ... }"), so a pointer to the handle is a pointer to that object.
// cairn_shim_self_check() verifies this at run time before anything uses it.
//
// What it provides:
//   * an MVCC table-properties collector for the write CF: per SST the smallest and largest commit ts of its keys
//     ("z" + memcomparable key + 8 bytes big-endian of ~ts) and counts of versions by write type, stored as decimal
//     strings under the names cairn.mvcc.*;
//   * a read-options table filter that skips every SST whose cairn.mvcc.max_ts <= a start ts (files without the
//     property or with range deletions are always read), counting files and bytes read and skipped;
//   * DB statistics that C# can read ticker by ticker.
//
// No exception may escape into RocksDB (it is not exception-safe), and none escapes into C#.

#include <rocksdb/c.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table_properties.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

using ROCKSDB_NAMESPACE::EntryType;
using ROCKSDB_NAMESPACE::Options;
using ROCKSDB_NAMESPACE::ReadOptions;
using ROCKSDB_NAMESPACE::SequenceNumber;
using ROCKSDB_NAMESPACE::Slice;
using ROCKSDB_NAMESPACE::Statistics;
using ROCKSDB_NAMESPACE::Status;
using ROCKSDB_NAMESPACE::TableProperties;
using ROCKSDB_NAMESPACE::TablePropertiesCollector;
using ROCKSDB_NAMESPACE::TablePropertiesCollectorFactory;
using ROCKSDB_NAMESPACE::UserCollectedProperties;

namespace {

constexpr int kAbiVersion = 1;
constexpr char kMinTs[] = "cairn.mvcc.min_ts";
constexpr char kMaxTs[] = "cairn.mvcc.max_ts";
constexpr char kNumRows[] = "cairn.mvcc.num_rows";
constexpr char kNumVersions[] = "cairn.mvcc.num_versions";
constexpr char kNumPuts[] = "cairn.mvcc.num_puts";
constexpr char kNumDeletes[] = "cairn.mvcc.num_deletes";
constexpr char kNumLocks[] = "cairn.mvcc.num_locks";
constexpr char kNumRollbacks[] = "cairn.mvcc.num_rollbacks";
constexpr char kNumUnknown[] = "cairn.mvcc.num_unknown";
constexpr size_t kTsLength = 8;
constexpr char kDataPrefix = 'z';

// Collects the MVCC properties of one SST of the write CF while it is built (flush, compaction, SST writer).
class MvccCollector final : public TablePropertiesCollector {
 public:
  Status AddUserKey(const Slice& key, const Slice& value, EntryType type, SequenceNumber /*seq*/,
                    uint64_t /*file_size*/) override {
    if (type == ROCKSDB_NAMESPACE::kEntryRangeDeletion) {
      // Range deletions are counted by RocksDB itself (num_range_deletions); the filter never skips such a file.
      return Status::OK();
    }
    if (key.size() < 1 + kTsLength || key[0] != kDataPrefix) {
      // Not an MVCC key: the file cannot be judged by its timestamps, so it must never be skipped.
      unknown_++;
      min_ts_ = 0;
      max_ts_ = UINT64_MAX;
      return Status::OK();
    }
    const auto* p = reinterpret_cast<const unsigned char*>(key.data()) + key.size() - kTsLength;
    uint64_t inverted = 0;
    for (size_t i = 0; i < kTsLength; i++) {
      inverted = (inverted << 8) | p[i];
    }
    const uint64_t ts = ~inverted;
    if (ts < min_ts_) {
      min_ts_ = ts;
    }
    if (ts > max_ts_) {
      max_ts_ = ts;
    }
    seen_ts_ = true;

    // Rows: user keys (the key without its ts) change between consecutive entries of a sorted file.
    const size_t user_length = key.size() - kTsLength;
    if (last_user_key_.size() != user_length || std::memcmp(last_user_key_.data(), key.data(), user_length) != 0) {
      last_user_key_.assign(key.data(), user_length);
      rows_++;
    }

    if (type != ROCKSDB_NAMESPACE::kEntryPut) {
      // Tombstones of write records (GC, cleanup) carry a ts, which is counted above; they are no versions.
      return Status::OK();
    }
    versions_++;
    switch (value.empty() ? '\0' : value[0]) {
      case 'P':
        puts_++;
        break;
      case 'D':
        deletes_++;
        break;
      case 'L':
        locks_++;
        break;
      case 'R':
        rollbacks_++;
        break;
      default:
        unknown_++;
        break;
    }
    return Status::OK();
  }

  Status Finish(UserCollectedProperties* properties) override {
    *properties = Readable();
    return Status::OK();
  }

  UserCollectedProperties GetReadableProperties() const override { return Readable(); }

  const char* Name() const override { return "cairn.mvcc"; }

 private:
  UserCollectedProperties Readable() const {
    UserCollectedProperties p;
    p[kMinTs] = std::to_string(seen_ts_ ? min_ts_ : 0);
    p[kMaxTs] = std::to_string(seen_ts_ || unknown_ > 0 ? max_ts_ : 0);
    p[kNumRows] = std::to_string(rows_);
    p[kNumVersions] = std::to_string(versions_);
    p[kNumPuts] = std::to_string(puts_);
    p[kNumDeletes] = std::to_string(deletes_);
    p[kNumLocks] = std::to_string(locks_);
    p[kNumRollbacks] = std::to_string(rollbacks_);
    p[kNumUnknown] = std::to_string(unknown_);
    return p;
  }

  uint64_t min_ts_ = UINT64_MAX;
  uint64_t max_ts_ = 0;
  bool seen_ts_ = false;
  uint64_t rows_ = 0;
  uint64_t versions_ = 0;
  uint64_t puts_ = 0;
  uint64_t deletes_ = 0;
  uint64_t locks_ = 0;
  uint64_t rollbacks_ = 0;
  uint64_t unknown_ = 0;
  std::string last_user_key_;
};

class MvccCollectorFactory final : public TablePropertiesCollectorFactory {
 public:
  TablePropertiesCollector* CreateTablePropertiesCollector(TablePropertiesCollectorFactory::Context) override {
    return new MvccCollector();
  }

  const char* Name() const override { return "cairn.mvcc"; }
};

bool ParseU64(const UserCollectedProperties& props, const char* name, uint64_t* value) {
  auto it = props.find(name);
  if (it == props.end() || it->second.empty() || it->second.size() > 20) {
    return false;
  }
  uint64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') {
      return false;
    }
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) {
      return false;
    }
    v = v * 10 + digit;
  }
  *value = v;
  return true;
}

uint64_t FileBytes(const TableProperties& t) { return t.data_size + t.index_size + t.filter_size; }

}  // namespace

namespace {

// Counters of one table filter, shared by every read options copy that carries it (iterators copy their options).
struct MvccFilter {
  uint64_t start_ts = 0;
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> files_read{0};
  std::atomic<uint64_t> files_skipped{0};
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> bytes_skipped{0};
  std::atomic<uint64_t> files_without_properties{0};
  std::mutex seen_mutex;
  std::set<std::pair<std::string, uint64_t>> seen;

  // True when the file must be read. A file is counted once however often an iterator reopens it.
  bool Keep(const TableProperties& t) {
    calls.fetch_add(1, std::memory_order_relaxed);
    uint64_t max_ts = 0;
    const bool has = ParseU64(t.user_collected_properties, kMaxTs, &max_ts);
    const bool keep = !has || t.num_range_deletions > 0 || max_ts > start_ts;
    bool first = true;
    if (t.orig_file_number != 0 && !t.db_session_id.empty()) {
      std::lock_guard<std::mutex> guard(seen_mutex);
      first = seen.emplace(t.db_session_id, t.orig_file_number).second;
    }
    if (first) {
      if (!has) {
        files_without_properties.fetch_add(1, std::memory_order_relaxed);
      }
      (keep ? files_read : files_skipped).fetch_add(1, std::memory_order_relaxed);
      (keep ? bytes_read : bytes_skipped).fetch_add(FileBytes(t), std::memory_order_relaxed);
    }
    return keep;
  }
};

}  // namespace

struct cairn_mvcc_filter_t {
  std::shared_ptr<MvccFilter> rep;
};

struct cairn_statistics_t {
  std::shared_ptr<Statistics> rep;
};

extern "C" {

int cairn_shim_abi_version(void) { return kAbiVersion; }

// 1 when the C handles start with the C++ objects as this file assumes; 0 otherwise (then nothing else may be used).
int cairn_shim_self_check(void) {
  try {
    rocksdb_options_t* opt = rocksdb_options_create();
    rocksdb_options_set_write_buffer_size(opt, 12345678);
    rocksdb_options_set_max_write_buffer_number(opt, 7);
    const auto* options = reinterpret_cast<const Options*>(opt);
    const bool options_ok = options->write_buffer_size == 12345678 && options->max_write_buffer_number == 7;
    rocksdb_options_destroy(opt);

    rocksdb_readoptions_t* ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_readahead_size(ro, 424242);
    rocksdb_readoptions_set_fill_cache(ro, 0);
    rocksdb_readoptions_set_verify_checksums(ro, 0);
    const auto* read = reinterpret_cast<const ReadOptions*>(ro);
    const bool read_ok = read->readahead_size == 424242 && !read->fill_cache && !read->verify_checksums;
    rocksdb_readoptions_destroy(ro);
    return options_ok && read_ok ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

// Adds the MVCC properties collector to column family options (or to the options of an SST writer).
int cairn_options_add_mvcc_collector(rocksdb_options_t* opt) {
  try {
    reinterpret_cast<Options*>(opt)->table_properties_collector_factories.push_back(
        std::make_shared<MvccCollectorFactory>());
    return 1;
  } catch (...) {
    return 0;
  }
}

// Turns DB statistics on in database options; the handle reads them after open and is freed by the caller.
cairn_statistics_t* cairn_options_enable_statistics(rocksdb_options_t* opt) {
  try {
    auto* result = new cairn_statistics_t;
    result->rep = ROCKSDB_NAMESPACE::CreateDBStatistics();
    result->rep->set_stats_level(ROCKSDB_NAMESPACE::StatsLevel::kExceptDetailedTimers);
    reinterpret_cast<Options*>(opt)->statistics = result->rep;
    return result;
  } catch (...) {
    return nullptr;
  }
}

// 1 and the ticker's value when the name (for example "rocksdb.block.cache.data.miss") is a ticker; 0 otherwise.
int cairn_statistics_ticker(const cairn_statistics_t* stats, const char* name, uint64_t* value) {
  try {
    for (const auto& entry : ROCKSDB_NAMESPACE::TickersNameMap) {
      if (entry.second == name) {
        *value = stats->rep->getTickerCount(entry.first);
        return 1;
      }
    }
    return 0;
  } catch (...) {
    return 0;
  }
}

void cairn_statistics_destroy(cairn_statistics_t* stats) { delete stats; }

// A table filter for iterators: skips every SST whose versions are all committed at or before start_ts.
cairn_mvcc_filter_t* cairn_mvcc_filter_create(uint64_t start_ts) {
  try {
    auto* filter = new cairn_mvcc_filter_t;
    filter->rep = std::make_shared<MvccFilter>();
    filter->rep->start_ts = start_ts;
    return filter;
  } catch (...) {
    return nullptr;
  }
}

// Sets the filter on read options. The options (and the copies iterators make of them) share the filter's counters,
// so the handle may be freed before them.
int cairn_readoptions_set_mvcc_filter(rocksdb_readoptions_t* ro, const cairn_mvcc_filter_t* handle) {
  try {
    std::shared_ptr<MvccFilter> filter = handle->rep;
    reinterpret_cast<ReadOptions*>(ro)->table_filter = [filter](const TableProperties& t) {
      try {
        return filter->Keep(t);
      } catch (...) {
        return true;
      }
    };
    return 1;
  } catch (...) {
    return 0;
  }
}

// counters: files read, files skipped, bytes read, bytes skipped, files without properties, filter calls.
void cairn_mvcc_filter_counters(const cairn_mvcc_filter_t* handle, uint64_t* counters) {
  const MvccFilter* filter = handle->rep.get();
  counters[0] = filter->files_read.load(std::memory_order_relaxed);
  counters[1] = filter->files_skipped.load(std::memory_order_relaxed);
  counters[2] = filter->bytes_read.load(std::memory_order_relaxed);
  counters[3] = filter->bytes_skipped.load(std::memory_order_relaxed);
  counters[4] = filter->files_without_properties.load(std::memory_order_relaxed);
  counters[5] = filter->calls.load(std::memory_order_relaxed);
}

void cairn_mvcc_filter_destroy(cairn_mvcc_filter_t* filter) { delete filter; }

}  // extern "C"
