import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const tags = { app: "assets", environment: "staging", owner: "frontend", "cost-center": "cc-101" };

// Bucket names are global: a short random suffix keeps them unique.
const suffix = new random.RandomId("bucket-suffix", { byteLength: 4 });
const shortName = new random.RandomString("build-prefix", { length: 6, special: false, upper: false });
const pet = new random.RandomPet("canary", { length: 2 });

const buckets = ["assets", "build-cache"].map(
  (purpose) =>
    new aws.s3.Bucket(purpose, { bucket: suffix.hex.apply((hex) => `acme-${purpose}-staging-${hex}`), tags }),
);

new aws.s3.BucketObjectv2("canary", {
  bucket: buckets[0]!.id,
  key: pet.id.apply((id) => `canary/${id}.txt`),
  content: shortName.result.apply((prefix) => `build prefix ${prefix}`),
  tags,
});

export const bucketNames = buckets.map((bucket) => bucket.bucket);
