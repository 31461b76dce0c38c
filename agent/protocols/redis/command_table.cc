#include "agent/protocols/redis/command_table.h"

#include <algorithm>
#include <array>

namespace zerotrace::redis {
namespace {

// Commands whose first argument is a key (or a pub/sub channel or pattern),
// sorted for binary search. Commands that begin with a count (ZUNION,
// SINTERCARD, LMPOP, EVAL), a timeout (BLMPOP) or an option (XREAD, BITOP,
// SCAN) are not here: their first argument is not a key.
constexpr std::string_view kKeyFirst[] = {
    "APPEND", "BITCOUNT", "BITFIELD", "BITFIELD_RO", "BITPOS", "BLMOVE", "BLPOP", "BRPOP",
    "BRPOPLPUSH", "BZPOPMAX", "BZPOPMIN", "COPY", "DECR", "DECRBY", "DEL", "DUMP", "EXISTS",
    "EXPIRE", "EXPIREAT", "EXPIRETIME", "GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS",
    "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO", "GEORADIUS_RO", "GEOSEARCH", "GEOSEARCHSTORE",
    "GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET", "HDEL", "HEXISTS", "HEXPIRE",
    "HEXPIREAT", "HEXPIRETIME", "HGET", "HGETALL", "HGETDEL", "HGETEX", "HINCRBY",
    "HINCRBYFLOAT", "HKEYS", "HLEN", "HMGET", "HMSET", "HPERSIST", "HPEXPIRE", "HPEXPIREAT",
    "HPEXPIRETIME", "HPTTL", "HRANDFIELD", "HSCAN", "HSET", "HSETEX", "HSETNX", "HSTRLEN", "HTTL",
    "HVALS", "INCR", "INCRBY", "INCRBYFLOAT", "JSON.ARRAPPEND", "JSON.ARRINDEX",
    "JSON.ARRINSERT", "JSON.ARRLEN", "JSON.ARRPOP", "JSON.ARRTRIM", "JSON.CLEAR", "JSON.DEL",
    "JSON.FORGET", "JSON.GET", "JSON.MERGE", "JSON.MGET", "JSON.NUMINCRBY", "JSON.OBJKEYS",
    "JSON.OBJLEN", "JSON.SET", "JSON.STRAPPEND", "JSON.STRLEN", "JSON.TOGGLE", "JSON.TYPE", "LCS",
    "LINDEX", "LINSERT", "LLEN", "LMOVE", "LPOP", "LPOS", "LPUSH", "LPUSHX", "LRANGE", "LREM",
    "LSET", "LTRIM", "MGET", "MOVE", "MSET", "MSETNX", "PERSIST", "PEXPIRE", "PEXPIREAT",
    "PEXPIRETIME", "PFADD", "PFCOUNT", "PFMERGE", "PSETEX", "PSUBSCRIBE", "PTTL", "PUBLISH",
    "PUNSUBSCRIBE", "RENAME", "RENAMENX", "RESTORE", "RPOP", "RPOPLPUSH", "RPUSH", "RPUSHX",
    "SADD", "SCARD", "SDIFF", "SDIFFSTORE", "SET", "SETBIT", "SETEX", "SETNX", "SETRANGE",
    "SINTER", "SINTERSTORE", "SISMEMBER", "SMEMBERS", "SMISMEMBER", "SMOVE", "SORT", "SORT_RO",
    "SPOP", "SPUBLISH", "SRANDMEMBER", "SREM", "SSCAN", "SSUBSCRIBE", "STRLEN", "SUBSCRIBE",
    "SUBSTR", "SUNION", "SUNIONSTORE", "SUNSUBSCRIBE", "TOUCH", "TTL", "TYPE", "UNLINK",
    "UNSUBSCRIBE", "WATCH", "XACK", "XADD", "XAUTOCLAIM", "XCLAIM", "XDEL", "XLEN", "XPENDING",
    "XRANGE", "XREVRANGE", "XSETID", "XTRIM", "ZADD", "ZCARD", "ZCOUNT", "ZDIFFSTORE", "ZINCRBY",
    "ZINTERSTORE", "ZLEXCOUNT", "ZMSCORE", "ZPOPMAX", "ZPOPMIN", "ZRANDMEMBER", "ZRANGE",
    "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK", "ZREM", "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYLEX", "ZREVRANGEBYSCORE",
    "ZREVRANK", "ZSCAN", "ZSCORE", "ZUNIONSTORE",
};

// Container commands: the first argument names a subcommand.
constexpr std::string_view kContainers[] = {
    "ACL",     "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "FUNCTION", "LATENCY", "MEMORY",
    "MODULE",  "OBJECT", "PUBSUB",  "SCRIPT",  "SLOWLOG", "XGROUP",  "XINFO",
};

constexpr bool IsSorted(const auto& names) {
  return std::is_sorted(std::begin(names), std::end(names));
}
static_assert(IsSorted(kKeyFirst), "kKeyFirst must stay sorted");
static_assert(IsSorted(kContainers), "kContainers must stay sorted");

bool Contains(const auto& names, std::string_view name) {
  return std::binary_search(std::begin(names), std::end(names), name);
}

}  // namespace

FirstArgument FirstArgumentOf(std::string_view name) {
  if (Contains(kKeyFirst, name)) return FirstArgument::kKey;
  if (Contains(kContainers, name)) return FirstArgument::kSubcommand;
  return FirstArgument::kHidden;
}

}  // namespace zerotrace::redis
