//! Artifact bodies in R2, behind the domain's `BlobStore` port.

use crate::meter::{Call, Meter};
use parit_shared::run::store::{BlobStore, StoreError};
use parit_shared::Stage;
use worker::Bucket;

/// R2 behind the `BlobStore` port.
pub(crate) struct R2Blobs {
    bucket: Bucket,
    /// Test-only fault: artifact writes of this stage fail (see `faults`).
    pub(crate) fail_put: Option<Stage>,
    meter: Meter,
}

fn unavailable(e: worker::Error) -> StoreError {
    StoreError::Unavailable(format!("R2: {e}"))
}

impl R2Blobs {
    pub(crate) fn new(bucket: Bucket, meter: Meter) -> Self {
        Self { bucket, fail_put: None, meter }
    }

    /// Every key under `prefix`, following list cursors.
    pub(crate) async fn keys_under(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut list = self.bucket.list().prefix(prefix).limit(1000);
            if let Some(c) = cursor.take() {
                list = list.cursor(c);
            }
            self.meter.count(Call::R2ClassA);
            let page = list.execute().await.map_err(unavailable)?;
            keys.extend(page.objects().iter().map(|o| o.key()));
            match (page.truncated(), page.cursor()) {
                (true, Some(c)) => cursor = Some(c),
                _ => return Ok(keys),
            }
        }
    }
}

impl BlobStore for R2Blobs {
    async fn put(&self, key: &str, body: Vec<u8>) -> Result<(), StoreError> {
        if let Some(stage) = self.fail_put.filter(|s| key.starts_with("projects/") && key.contains(&format!("/{s}/"))) {
            return Err(StoreError::Unavailable(format!("R2: injected put failure for the {stage} stage")));
        }
        self.meter.count(Call::R2ClassA);
        self.bucket.put(key, body).execute().await.map_err(unavailable).map(|_| ())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.meter.count(Call::R2ClassB);
        match self.bucket.get(key).execute().await.map_err(unavailable)? {
            None => Ok(None),
            Some(object) => match object.body() {
                None => Ok(None),
                Some(body) => body.bytes().await.map(Some).map_err(unavailable),
            },
        }
    }

    async fn delete(&self, keys: &[String]) -> Result<(), StoreError> {
        for chunk in keys.chunks(1000) {
            self.meter.count(Call::R2Delete);
            self.bucket.delete_multiple(chunk.to_vec()).await.map_err(unavailable)?;
        }
        Ok(())
    }
}
